namespace LiveInsight.Core.Lake;

/// <summary>
/// How a compact file's rows get their session stamps (<see cref="LakeLayout.SessionColumns"/>) and visitor keys
/// (<see cref="LakeLayout.VisitorKeyColumn"/>): the SQL the compactor
/// runs, kept here so every writer of compact files (the compactor, the query benchmark's generator, test lakes)
/// stamps the same way.
/// </summary>
public static class LakeStamps
{
    /// <summary>A DuckDB select of the compact file's rows: the events of <paramref name="inputs"/>, duplicate ids
    /// dropped, sorted by ts, each with its session's stamps from this day's page views and custom events or, for a
    /// session that began the day before, from <paramref name="previous"/> (that day's compact file: its stamps when
    /// <paramref name="previousStamped"/>, else computed from its events). Paths are ours and quoted as literals.</summary>
    public static string Select(IReadOnlyList<string> inputs, string? previous, bool previousStamped)
    {
        var columns = LakeLayout.SessionColumns.Select(c => c.Name).ToList();
        var eventColumns = string.Join(", ", LakeLayout.EventColumns.Select(c => c.Name));
        var computed = string.Join(", ", columns.Select(c => $"{LakeLayout.SessionAggregate(c)} AS {c}"));
        var text = new System.Text.StringBuilder()
            .Append($"WITH ev AS (SELECT {eventColumns} FROM {LakeLayout.WithEveryEventColumn($"read_parquet([{string.Join(", ", inputs.Select(Literal))}], hive_partitioning = false, union_by_name = true)")} ")
            .Append("QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ts) = 1), ")
            .Append($"own AS (SELECT session_id, {computed} FROM ev WHERE session_id IS NOT NULL AND type IN {LakeLayout.SessionEventTypes} GROUP BY session_id)");
        if (previous is not null)
        {
            var file = $"read_parquet({Literal(previous)}, hive_partitioning = false)";
            text.Append(", prev AS (").Append(previousStamped
                    ? $"SELECT session_id, {string.Join(", ", columns.Select(c => $"arg_min_null({c}, {LakeLayout.SessionStart}) AS {c}"))} FROM {file} WHERE {LakeLayout.SessionStart} IS NOT NULL"
                    : $"SELECT session_id, {computed} FROM {file} WHERE type IN {LakeLayout.SessionEventTypes}")
                .Append(" AND session_id IN (SELECT session_id FROM own) GROUP BY session_id)");
        }

        text.Append(" SELECT ev.*, ")
            .Append(string.Join(", ", columns.Select(c => previous is null ? $"own.{c} AS {c}" : $"CASE WHEN prev.session_id IS NULL THEN own.{c} ELSE prev.{c} END AS {c}")))
            .Append($", {LakeLayout.VisitorKey("ev.visitor_id")} AS {LakeLayout.VisitorKeyColumn}")
            .Append(" FROM ev LEFT JOIN own USING (session_id)")
            .Append(previous is null ? "" : " LEFT JOIN prev USING (session_id)")
            .Append(" ORDER BY ts, event_id");
        return text.ToString();
    }

    /// <summary>The query telling whether a Parquet file carries stamps (a count above zero).</summary>
    public static string IsStampedQuery(string path) => $"SELECT count(*) FROM parquet_schema({Literal(path)}) WHERE name = '{LakeLayout.SessionStart}'";

    /// <summary>A path as a DuckDB string literal (paths are ours; a quote in the root must not end the string).</summary>
    internal static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
