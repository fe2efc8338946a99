namespace LiveInsight.Api.Tests.Infrastructure;

/// <summary>For tests whose answer names "today" (range=today, 7d, 30d): the Api reads its own clock, so a day that ends
/// between the test's seeding and its reads moves the range away from what was seeded. Start early in a day instead.</summary>
public static class FreshDay
{
    /// <summary>Waits until the day of <paramref name="zone"/> (UTC if null) has at least <paramref name="secondsNeeded"/> left.</summary>
    public static async Task WaitAsync(TimeZoneInfo? zone = null, int secondsNeeded = 60)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone ?? TimeZoneInfo.Utc);
        var left = local.Date.AddDays(1) - local.DateTime;
        if (left < TimeSpan.FromSeconds(secondsNeeded))
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(200));
        }
    }
}
