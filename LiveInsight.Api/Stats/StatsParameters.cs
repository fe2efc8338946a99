using System.Globalization;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Api.Stats;

/// <summary>Query parameters shared by every stats endpoint.</summary>
public sealed record StatsParameters(
    [property: FromQuery(Name = "site_id")] string? SiteId,
    [property: FromQuery(Name = "range")] string? Range,
    [property: FromQuery(Name = "from")] string? From,
    [property: FromQuery(Name = "to")] string? To,
    [property: FromQuery(Name = "page")] string? Page,
    [property: FromQuery(Name = "source")] string? Source,
    [property: FromQuery(Name = "country")] string? Country,
    [property: FromQuery(Name = "device")] string? Device,
    [property: FromQuery(Name = "limit")] int? Limit,
    [property: FromQuery(Name = "interval")] string? Interval)
{
    public const int MaxDays = 366;
    public const int DefaultLimit = 10;
    public const int MaxLimit = 1000;
    public const int MaxHourlyDays = 31;

    /// <summary>No site has data before this; earlier dates (down to 0001-01-01) only overflow the previous period.</summary>
    public static readonly DateOnly FirstDate = new(2000, 1, 1);

    /// <summary>A page filter is matched against Stats items whose sort key is <c>{bucket}#{path}</c>, and DynamoDB
    /// refuses sort keys over 1,024 bytes (a longer value answered 500): a longer path can have no rollup anyway.</summary>
    public const int MaxPageFilterBytes = RollupLayout.MaxValueBytes;

    /// <summary>Sources, countries and devices are short names; 200 characters leaves room for any real one.</summary>
    public const int MaxFilterLength = 200;

    /// <summary>Turns the parameters into a scope in the site's time zone, or says (for a 400) what is wrong.</summary>
    public (StatsScope? Scope, string? Error) Resolve(Site site, DateTimeOffset now)
    {
        var zone = SiteTimeZones.Of(site.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var (from, to, error) = (Range ?? (From is null && To is null ? "30d" : "custom")) switch
        {
            "today" => (today, today, null),
            "7d" => (today.AddDays(-6), today, null),
            "30d" => (today.AddDays(-29), today, null),
            "month" => (new DateOnly(today.Year, today.Month, 1), today, null),
            "custom" => ParseCustom(today.AddDays(1)),
            var other => (default, default, $"range '{Shorten(other)}' is not one of today, 7d, 30d, month, custom."),
        };
        if (error is not null)
        {
            return (null, error);
        }

        if (to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            return (null, $"A range may span at most {MaxDays} days.");
        }

        var filters = new (string Dimension, string? Value)[]
        {
            (RollupLayout.Page, Page), (RollupLayout.Source, Source), (RollupLayout.Country, Country), (RollupLayout.Device, Device),
        }.Where(f => !string.IsNullOrEmpty(f.Value)).ToList();
        if (FilterTooLong(filters) is { } tooLong)
        {
            return (null, tooLong);
        }

        if (filters.Count > 1)
        {
            return (null, "Only one filter (page, source, country or device) at a time: the rollups are per single dimension, so a combination cannot be answered exactly.");
        }

        if (Limit is < 1 or > MaxLimit)
        {
            return (null, $"limit must be between 1 and {MaxLimit}.");
        }

        if (Interval is not (null or "hour" or "day"))
        {
            return (null, "interval must be 'hour' or 'day'.");
        }

        if (Interval == "hour" && to.DayNumber - from.DayNumber + 1 > MaxHourlyDays)
        {
            return (null, $"An hourly timeseries may span at most {MaxHourlyDays} days; use interval=day.");
        }

        var filter = filters.Count == 1 ? new StatsFilter(filters[0].Dimension, filters[0].Value!) : null;
        return (new StatsScope(site.SiteId, zone, from, to, filter, Limit ?? DefaultLimit, Interval), null);
    }

    private (DateOnly, DateOnly, string?) ParseCustom(DateOnly lastDate)
    {
        if (!TryDate(From, out var from) || !TryDate(To, out var to))
        {
            return (default, default, "from and to must both be dates as YYYY-MM-DD (in the site's time zone).");
        }

        if (from < FirstDate || to > lastDate)
        {
            return (default, default, $"from and to must be between {RollupLayout.DayBucket(FirstDate)} and tomorrow ({RollupLayout.DayBucket(lastDate)}) in the site's time zone.");
        }

        return from > to ? (default, default, "from must not be after to.") : (from, to, null);
    }

    private static string? FilterTooLong(List<(string Dimension, string? Value)> filters)
    {
        foreach (var (dimension, value) in filters)
        {
            if (dimension == RollupLayout.Page && System.Text.Encoding.UTF8.GetByteCount(value!) > MaxPageFilterBytes)
            {
                return $"page may be at most {MaxPageFilterBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes (UTF-8): no longer path is kept in the rollups.";
            }

            if (dimension != RollupLayout.Page && value!.Length > MaxFilterLength)
            {
                return $"{dimension} may be at most {MaxFilterLength} characters.";
            }
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}

public sealed record StatsFilter(string Dimension, string Value);

/// <summary>A resolved stats request: site-local days <see cref="From"/>..<see cref="To"/> inclusive.</summary>
public sealed record StatsScope(string SiteId, TimeZoneInfo Zone, DateOnly From, DateOnly To, StatsFilter? Filter, int Limit, string? Interval)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    public IReadOnlyList<string> DayBuckets =>
        Enumerable.Range(0, Days).Select(i => RollupLayout.DayBucket(From.AddDays(i))).ToList();

    /// <summary>The same number of days right before this range.</summary>
    public StatsScope Previous => this with { From = From.AddDays(-Days), To = From.AddDays(-1) };

    /// <summary>UTC hours covering the site-local days (a zone with a half-hour offset gets the hours it overlaps).</summary>
    public IReadOnlyList<DateTimeOffset> Hours
    {
        get
        {
            var start = LocalMidnightUtc(From);
            var end = LocalMidnightUtc(To.AddDays(1));
            var first = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, 0, 0, TimeSpan.Zero);
            var hours = new List<DateTimeOffset>();
            for (var h = first; h < end; h = h.AddHours(1))
            {
                hours.Add(h);
            }

            return hours;
        }
    }

    /// <summary>Short whatever the filter: a long value is replaced by its hash, because HybridCache does not cache keys
    /// over 1,024 characters at all (each such request would have gone to DynamoDB).</summary>
    public string CacheKey(string report) =>
        $"stats:{report}:{SiteId}:{From:yyyyMMdd}:{To:yyyyMMdd}:{Filter?.Dimension}={KeyPart(Filter?.Value)}:{Limit}:{Interval}";

    /// <summary>A filter value as part of a cache key: long values, and values with control characters (which
    /// HybridCache refuses in a key, logging an error and reading uncached on every such request), by their hash.</summary>
    private static string? KeyPart(string? value) =>
        value is { Length: > 64 } || (value is not null && value.Any(char.IsControl)) ? "#" + BearerTokens.Hash(value) : value;

    private DateTimeOffset LocalMidnightUtc(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
