using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Events;
using Microsoft.Extensions.Time.Testing;

namespace LiveInsight.Api.Tests.Ingestion;

[Collection(nameof(ApiCollection))]
public sealed class DailySaltsTests(ApiFixture fixture)
{
    [Fact]
    public async Task Salts_rotate_at_utc_midnight_are_shared_by_replicas_and_expire_after_the_next_day()
    {
        // A day far from today, so other tests' salts are never touched.
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 3, 9, 23, 59, 0, TimeSpan.Zero));
        var replicaA = new DailySalts(fixture.Redis, clock);
        var replicaB = new DailySalts(fixture.Redis, clock);
        var day = new DateOnly(2031, 3, 9);

        var beforeMidnight = await replicaA.CurrentAsync();
        var sameDayOtherReplica = await replicaB.CurrentAsync();
        clock.Advance(TimeSpan.FromMinutes(2));
        var afterMidnight = await replicaA.CurrentAsync();

        Assert.Equal(beforeMidnight[day], sameDayOtherReplica[day]);
        Assert.Equal(16, beforeMidnight[day].Length);
        Assert.Equal(beforeMidnight[day], afterMidnight[day]);
        Assert.NotEqual(afterMidnight[day], afterMidnight[day.AddDays(1)]);
        Assert.False(afterMidnight.ContainsKey(day.AddDays(-1)));
        // Real Redis TTLs run on the real clock, so only check that an expiry is set and bounded by two days.
        var ttl = await fixture.Redis.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Salt(day.AddDays(1)));
        Assert.NotNull(ttl);
        Assert.True(ttl <= TimeSpan.FromDays(2), $"ttl {ttl}");
    }
}
