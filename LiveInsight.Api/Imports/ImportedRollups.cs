using System.Globalization;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Core.Stats;

namespace LiveInsight.Api.Imports;

/// <summary>
/// Day rollups built from an export before they are written: per site-local day, dimension and value, the counters of
/// <see cref="RollupLayout"/> plus <c>visitors</c>. Values are cleaned and capped as ingestion does (invisible
/// characters out, <see cref="RollupLayout.CapValue"/>); past <see cref="MaxValuesPerDay"/> distinct values of one
/// dimension in one day, further values count under <see cref="RollupLayout.Other"/>, as native days do; past
/// <see cref="MaxDays"/> days the import is refused. So what an upload can make the Api hold is bounded by its size.
/// </summary>
public sealed class ImportedRollups
{
    public const int MaxValuesPerDay = 1_000;
    public const int MaxDays = 3_700;

    private readonly Dictionary<DateOnly, Dictionary<(string Dimension, string Value), Dictionary<string, long>>> _days = [];
    private readonly Dictionary<(DateOnly Day, string Dimension), int> _distinct = [];

    public IReadOnlyCollection<DateOnly> Days => _days.Keys;

    public int Rows => _days.Values.Sum(d => d.Count);

    /// <summary>Adds counters to one value of one dimension on one day (a value of null or blank is <paramref name="empty"/>).</summary>
    public void Add(DateOnly day, string dimension, string? value, params (string Metric, long Count)[] counts)
    {
        if (!_days.TryGetValue(day, out var rows))
        {
            if (_days.Count >= MaxDays)
            {
                throw new InvalidDataException($"an import covers at most {MaxDays} days.");
            }

            rows = _days[day] = [];
        }

        var key = (dimension, Clean(dimension, value));
        if (!rows.TryGetValue(key, out var metrics))
        {
            var distinct = _distinct.GetValueOrDefault((day, dimension));
            if (distinct >= MaxValuesPerDay && dimension != RollupLayout.Summary)
            {
                key = (dimension, RollupLayout.Other);
                metrics = rows.TryGetValue(key, out var other) ? other : rows[key] = [];
            }
            else
            {
                _distinct[(day, dimension)] = distinct + 1;
                metrics = rows[key] = [];
            }
        }

        foreach (var (metric, count) in counts)
        {
            if (count != 0)
            {
                metrics[metric] = checked(metrics.GetValueOrDefault(metric) + count);
            }
        }
    }

    /// <summary>Keeps only the days before <paramref name="cutoff"/>; returns how many days were dropped.</summary>
    public int ClipFrom(DateOnly cutoff)
    {
        var dropped = _days.Keys.Where(d => d >= cutoff).ToList();
        foreach (var day in dropped)
        {
            _days.Remove(day);
        }

        return dropped.Count;
    }

    public IEnumerable<(DateOnly Day, string Dimension, string Value, IReadOnlyDictionary<string, long> Metrics)> Items() =>
        _days.OrderBy(d => d.Key).SelectMany(d => d.Value.Select(r => (d.Key, r.Key.Dimension, r.Key.Value, (IReadOnlyDictionary<string, long>)r.Value)));

    private static string Clean(string dimension, string? value)
    {
        if (dimension == RollupLayout.Summary)
        {
            return "";
        }

        var text = InvisibleText.Strip((value ?? "").Trim());
        return text.Length == 0 ? Empty(dimension) : RollupLayout.CapValue(text);
    }

    /// <summary>What native rollups hold for an absent value of a dimension.</summary>
    private static string Empty(string dimension) => dimension switch
    {
        RollupLayout.Source => "Direct",
        RollupLayout.Page => "/",
        _ => "(not set)",
    };

    public static DateOnly ParseDay(CsvRows csv, string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw csv.Error($"'{Shorten(text)}' is not a date (YYYY-MM-DD).");

    public static long ParseCount(CsvRows csv, string column, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return 0;
        }

        return long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 1_000_000_000_000
            ? count
            : throw csv.Error($"'{column}' is not a whole number from 0 to 10^12: '{Shorten(text)}'.");
    }

    public static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
