using LiveInsight.Core.Lifecycle;

namespace LiveInsight.Api.Lifecycle;

/// <summary><c>POST /api/sites/{siteId}/erase</c>: either a period of site-local days (<c>from</c>, <c>to</c>, inclusive)
/// or one identified user (<c>user_id</c>, as the site passed it to <c>liveinsight.identify</c>), never both.</summary>
public sealed record EraseRequest(string? From = null, string? To = null, string? UserId = null);

/// <summary>How much a lifecycle request removed.</summary>
public sealed record Removed(long RedisKeys, long Items, long LakeFiles)
{
    public static Removed Of(PurgeCounts counts) => new(counts.RedisKeys, counts.Items, counts.LakeFiles);
}

/// <summary>The answer to a deletion: the data is gone; the record follows after <paramref name="FinalSweepAfterSeconds"/>.</summary>
public sealed record SiteDeletion(string SiteId, string Status, Removed Removed, int FinalSweepAfterSeconds, string Detail);

public sealed record LifecycleResult(string SiteId, string Status, Removed Removed);

public static class EraseValidation
{
    /// <summary>At most this many days in one erasure (ten years): a bound on the per-day queries it makes.</summary>
    public const int MaxDays = 3660;

    /// <summary>The longest user id accepted (the tracker caps identify's argument shorter still).</summary>
    public const int MaxUserIdLength = 256;

    public static Dictionary<string, string[]> Validate(EraseRequest request, out DateOnly from, out DateOnly to)
    {
        from = to = default;
        var errors = new Dictionary<string, string[]>();
        if (request.UserId is not null)
        {
            if (request.From is not null || request.To is not null)
            {
                errors["user_id"] = ["Send either user_id or from and to, not both."];
            }
            else if (request.UserId.Length is 0 or > MaxUserIdLength || request.UserId.Any(char.IsControl))
            {
                errors["user_id"] = [$"1 to {MaxUserIdLength} characters, no control characters."];
            }

            return errors;
        }

        if (!TryDay(request.From, out from))
        {
            errors["from"] = ["A date as yyyy-MM-dd (the site's own day)."];
        }

        if (!TryDay(request.To, out to))
        {
            errors["to"] = ["A date as yyyy-MM-dd (the site's own day)."];
        }

        if (errors.Count == 0 && to < from)
        {
            errors["to"] = ["Not before from."];
        }
        else if (errors.Count == 0 && to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            errors["to"] = [$"At most {MaxDays} days in one request."];
        }

        return errors;
    }

    public static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out day);
}
