using System.Globalization;
using System.IO.Hashing;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Stats;

namespace LiveInsight.Api.Stats;

/// <summary>The unfiltered summary over ranges of days, with settled whole weeks read pre-merged (<see cref="SummaryWeeks"/>).</summary>
public sealed partial class RollupReader
{
    /// <summary>
    /// The summary rows of each range of day buckets (the summary reads its range and the one before, together). A
    /// bucket comes from Redis while its hash exists; a settled whole ISO week without one from its week item when that
    /// was built under the site's current epoch; every other day from its day item. A week without a usable item is
    /// built from the day items read for it (read consistently after the epoch) and written for the next reads. A week
    /// row stands for its days: its counters are theirs summed, its sketch their union, and it carries
    /// <c>visitors</c> only when a single day had a row (so a range of it alone counts as that day's row would).
    /// </summary>
    public async Task<List<RollupRow>[]> ReadSummaryAsync(
        string siteId, IReadOnlyList<IReadOnlyList<string>> ranges, CancellationToken cancellationToken)
    {
        if (!read.Value.SummaryWeeks)
        {
            return await Task.WhenAll(ranges.Select(range => ReadValuesAsync(
                siteId, Granularity.Day, range, RollupLayout.Summary, [""], withSketches: true, cancellationToken)));
        }

        var all = ranges.SelectMany(r => r).Distinct(StringComparer.Ordinal).ToList();
        var (redisRows, missing) = await ReadValuesFromRedisAsync(siteId, Granularity.Day, all, RollupLayout.Summary, [""]);
        var stored = missing.ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var sets = ranges.Select(r => r.ToHashSet(StringComparer.Ordinal)).ToList();
        var weeks = ranges.SelectMany(r => SummaryWeeks.WholeWeeks(r.Select(Day))).Distinct()
            .Where(w => WeekDays(w).All(d => stored.Contains(d) && SummaryWeeks.Settled(Day(d), now)))
            // A week stands for its days in every range: each range holds all of them or none.
            .Where(w => sets.All(set => WeekDays(w).All(set.Contains) || !WeekDays(w).Any(set.Contains)))
            .ToList();

        if (weeks.Count == 0)
        {
            var keys = missing.Select(b => RollupLayout.StatsSortKey(b, "")).ToList();
            var rows = keys.Count == 0 ? [] : await BatchGetAsync(siteId, Granularity.Day, RollupLayout.Summary, keys, withSketches: true, cancellationToken);
            return sets.Select(set => redisRows.Concat(rows).Where(r => set.Contains(r.Bucket)).ToList()).ToArray();
        }

        // One consistent BatchGetItem: the epoch, the weeks and the days outside them. Weeks that need building read
        // their days in a second one, after the epoch (see BuildWeeksAsync).
        var inWeeks = weeks.SelectMany(WeekDays).ToHashSet(StringComparer.Ordinal);
        var edgeDays = missing.Where(b => !inWeeks.Contains(b)).ToList();
        var (epoch, weekRows, dayRows) = await ReadWeeksAndDaysAsync(siteId, weeks, edgeDays, cancellationToken);
        var toBuild = weeks.Where(w => !weekRows.ContainsKey(w)).ToList();
        if (toBuild.Count > 0)
        {
            var keys = toBuild.SelectMany(WeekDays).Select(b => RollupLayout.StatsSortKey(b, "")).ToList();
            var built = await BatchGetAsync(siteId, Granularity.Day, RollupLayout.Summary, keys, withSketches: true, cancellationToken, consistent: true);
            dayRows.AddRange(built);
            await BuildWeeksAsync(siteId, epoch, toBuild, built, cancellationToken);
        }

        return sets.Select(set =>
        {
            var rows = redisRows.Where(r => set.Contains(r.Bucket)).ToList();
            rows.AddRange(dayRows.Where(r => set.Contains(r.Bucket)));
            rows.AddRange(weekRows.Where(w => w.Value is not null && set.Contains(SummaryWeeks.SortKey(w.Key))).Select(w => w.Value!));
            return rows;
        }).ToArray();
    }

    private static DateOnly Day(string bucket) => DateOnly.ParseExact(bucket, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IEnumerable<string> WeekDays(DateOnly monday) => Enumerable.Range(0, 7).Select(i => RollupLayout.DayBucket(monday.AddDays(i)));

    /// <summary>The site's epoch, the usable weeks among <paramref name="weeks"/> (built under that epoch, sketch
    /// intact; a null row for a week that had no day row at all) and the summary rows of <paramref name="days"/>: one
    /// consistent BatchGetItem (a few when more than 100 keys).</summary>
    private async Task<(string Epoch, Dictionary<DateOnly, RollupRow?> Weeks, List<RollupRow> Days)> ReadWeeksAndDaysAsync(
        string siteId, List<DateOnly> weeks, List<string> days, CancellationToken cancellationToken)
    {
        var dayPk = RollupLayout.StatsPartitionKey(siteId, Granularity.Day, RollupLayout.Summary);
        var keys = weeks.Select(w => SummaryWeeks.Key(siteId, SummaryWeeks.SortKey(w)))
            .Prepend(SummaryWeeks.Key(siteId, SummaryWeeks.EpochSortKey))
            .Concat(days.Select(d => new Dictionary<string, AttributeValue>
            {
                ["pk"] = new() { S = dayPk },
                ["sk"] = new() { S = RollupLayout.StatsSortKey(d, "") },
            }));
        var (projection, names) = Projection(withSketches: true, "pk", SummaryWeeks.EpochAttribute, DaysAttribute);
        var items = new List<Dictionary<string, AttributeValue>>();
        foreach (var chunk in keys.Chunk(100))
        {
            var pending = new Dictionary<string, KeysAndAttributes>
            {
                [Table] = new() { Keys = [.. chunk], ConsistentRead = true, ProjectionExpression = projection, ExpressionAttributeNames = names },
            };
            while (pending is { Count: > 0 })
            {
                var response = await dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, cancellationToken);
                if (response.Responses?.TryGetValue(Table, out var got) == true)
                {
                    items.AddRange(got);
                }

                pending = response.UnprocessedKeys is { Count: > 0 } more ? more : null;
            }
        }

        var weekPk = SummaryWeeks.PartitionKey(siteId);
        var epoch = SummaryWeeks.EpochOf(items.FirstOrDefault(i => i["pk"].S == weekPk && i["sk"].S == SummaryWeeks.EpochSortKey));
        var usable = new Dictionary<DateOnly, RollupRow?>();
        var dayRows = new List<RollupRow>();
        foreach (var item in items)
        {
            if (item["pk"].S == dayPk)
            {
                item.Remove("pk");
                dayRows.Add(ToRow(item, withSketches: true));
            }
            else if (item["sk"].S != SummaryWeeks.EpochSortKey && SummaryWeeks.EpochOf(item) == epoch && WeekRow(item) is { } row)
            {
                usable[Day(item["sk"].S)] = row.Days == 0 ? null : row.Row;
            }
        }

        return (epoch, usable, dayRows);
    }

    /// <summary>A stored week as a row, or null when its sketch fails its checksum (it is built again).</summary>
    private (RollupRow Row, int Days)? WeekRow(Dictionary<string, AttributeValue> item)
    {
        var sk = item["sk"].S;
        var metrics = new Dictionary<string, long>();
        foreach (var metric in Metrics)
        {
            if (item.TryGetValue(metric, out var value) && value.N is not null)
            {
                metrics[metric] = long.Parse(value.N, CultureInfo.InvariantCulture);
            }
        }

        byte[]? sketch = null;
        if (item.TryGetValue(SketchAttribute, out var hll) && hll.B is not null)
        {
            sketch = hll.B.ToArray();
            if (!item.TryGetValue(SketchCrcAttribute, out var crc) || crc.N != Crc32.HashToUInt32(sketch).ToString(CultureInfo.InvariantCulture))
            {
                LogCorruptSketch($"{item["pk"].S} / {sk}");
                return null;
            }
        }

        var days = item.TryGetValue(DaysAttribute, out var d) && d.N is not null ? int.Parse(d.N, CultureInfo.InvariantCulture) : 0;
        return (new RollupRow(sk, "", metrics, FromRedis: false, sketch), days);
    }

    private const string DaysAttribute = "days";

    /// <summary>
    /// Writes the week items of <paramref name="weeks"/> from their day rows (tagged with <paramref name="epoch"/>,
    /// read before the rows). A week is left unmerged when a day of it is imported (its visitors are a count, not a
    /// sketch) or has visitors without an intact sketch (the day path would count it differently alone). A failed
    /// write only costs the next read the days again.
    /// </summary>
    private async Task BuildWeeksAsync(string siteId, string epoch, List<DateOnly> weeks, List<RollupRow> dayRows, CancellationToken cancellationToken)
    {
        var byDay = dayRows.ToLookup(r => r.Bucket, StringComparer.Ordinal);
        var writes = new List<Task>();
        foreach (var week in weeks)
        {
            var rows = WeekDays(week).SelectMany(d => byDay[d]).ToList();
            if (rows.Any(r => r.Imported || (r.Sketch is null && r[RollupLayout.Visitors] > 0)))
            {
                continue;
            }

            var item = SummaryWeeks.Key(siteId, SummaryWeeks.SortKey(week));
            item[SummaryWeeks.EpochAttribute] = new() { S = epoch };
            item[DaysAttribute] = new() { N = rows.Count.ToString(CultureInfo.InvariantCulture) };
            foreach (var metric in Metrics.Where(m => m != RollupLayout.Visitors))
            {
                var sum = rows.Sum(r => r[metric]);
                if (rows.Any(r => r.Metrics.ContainsKey(metric)))
                {
                    item[metric] = new() { N = sum.ToString(CultureInfo.InvariantCulture) };
                }
            }

            if (rows.Count == 1 && rows[0].Metrics.TryGetValue(RollupLayout.Visitors, out var visitors))
            {
                item[RollupLayout.Visitors] = new() { N = visitors.ToString(CultureInfo.InvariantCulture) };
            }

            var sketches = rows.Where(r => r.Sketch is not null).Select(r => r.Sketch!).ToList();
            if (sketches.Count > 0)
            {
                var merged = sketches.Count == 1 ? sketches[0] : HyperLogLogUnion.Union(sketches);
                item[SketchAttribute] = new() { B = new MemoryStream(merged) };
                item[SketchCrcAttribute] = new() { N = Crc32.HashToUInt32(merged).ToString(CultureInfo.InvariantCulture) };
            }

            writes.Add(dynamo.PutItemAsync(new PutItemRequest { TableName = Table, Item = item }, cancellationToken));
        }

        try
        {
            await Task.WhenAll(writes);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWeekWriteFailed(siteId, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the summary weeks of site {SiteId}; their days are read until a later read writes them: {Error}")]
    private partial void LogWeekWriteFailed(string siteId, string error);
}
