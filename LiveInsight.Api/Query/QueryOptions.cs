using System.ComponentModel.DataAnnotations;

namespace LiveInsight.Api.Query;

/// <summary>Limits of <c>POST /api/v2/query</c> (section <c>LiveInsight:Query</c>).</summary>
public sealed class QueryOptions
{
    public const string SectionName = "LiveInsight:Query";

    /// <summary>A query still running after this is interrupted (DuckDB's interrupt) and answered 503.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>DuckDB's memory limit for all queries together (it spills to a temp folder beyond, or fails the query).</summary>
    [Range(64, 65_536)]
    public int MemoryLimitMegabytes { get; set; } = 1024;

    [Range(1, 64)]
    public int Threads { get; set; } = 2;

    /// <summary>Queries run at once on this Api process; more wait (up to the timeout) and then answer 429.</summary>
    [Range(1, 64)]
    public int MaxConcurrentQueries { get; set; } = 2;
}
