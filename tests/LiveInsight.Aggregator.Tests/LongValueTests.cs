using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using StackExchange.Redis;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

namespace LiveInsight.Aggregator.Tests;

/// <summary>
/// Issue 14: a Stats sort key is <c>{bucket}#{value}</c> and DynamoDB refuses one over 1,024 bytes, while ingestion kept
/// paths of 2,000 characters. One such path made every flush fail and put every site's rollups back, again and again.
/// </summary>
[Collection(nameof(DynaliteCollection))]
public sealed class LongValueTests(DynaliteFixture dynalite)
{
    private const string Day = "2026-11-20";

    [Fact]
    public async Task A_2000_character_path_and_another_sites_page_view_are_both_flushed_and_readable()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var other = await CreateSiteAsync(w);
        var longPath = "/" + string.Concat(Enumerable.Repeat("東", 1999)); // 5,998 bytes of UTF-8
        await w.IngestAsync(w.Event("page_view", "v1", "s1", TimeSpan.Zero, longPath));
        await w.IngestAsync(w.Event("page_view", "v2", "s2", TimeSpan.FromSeconds(1), "/pricing") with { SiteId = other });

        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.CloseSessionsAndFlushAsync(TimeSpan.FromHours(1));

        var kept = RollupLayout.CapValue(longPath);
        Assert.Equal("/" + string.Concat(Enumerable.Repeat("東", 333)), kept); // 1,000 bytes, no character cut
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, RollupLayout.Page, Day, kept))!["pageviews"]);
        Assert.Equal(1, (await StatsOfAsync(w, other, RollupLayout.Page, "/pricing"))!["pageviews"]);
        Assert.False(await w.Connection.GetDatabase().KeyExistsAsync(RollupLayout.DirtySet));
    }

    [Fact]
    public async Task A_rollup_value_dynamodb_refuses_is_left_out_and_logged_and_every_other_rollup_is_flushed()
    {
        // Rollup hashes as an aggregator before the cap left them: one field whose value makes a 2 KB sort key.
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var other = await CreateSiteAsync(w);
        var db = w.Connection.GetDatabase();
        var mine = RollupLayout.RedisHash(w.SiteId, Granularity.Day, Day);
        var theirs = RollupLayout.RedisHash(other, Granularity.Day, Day);
        await db.HashSetAsync(mine, [
            new HashEntry(RollupLayout.Field(RollupLayout.Page, "/" + new string('p', 2000), RollupLayout.Pageviews), 3),
            new HashEntry(RollupLayout.Field(RollupLayout.Page, "/short", RollupLayout.Pageviews), 2),
            // And one DynamoDB refuses for a reason the flusher does not check first (a partition key over 2 KB).
            new HashEntry(RollupLayout.Field(new string('d', 2100), "x", RollupLayout.Pageviews), 1)]);
        await db.HashSetAsync(theirs, RollupLayout.Field(RollupLayout.Page, "/pricing", RollupLayout.Pageviews), 5);
        await db.SetAddAsync(RollupLayout.DirtySet, [mine, theirs]);

        await w.Get<LiveInsight.Aggregator.Jobs.StatsFlusher>().FlushAsync(CancellationToken.None);

        Assert.Equal(2, (await w.StatsAsync(Granularity.Day, RollupLayout.Page, Day, "/short"))!["pageviews"]);
        Assert.Equal(5, (await StatsOfAsync(w, other, RollupLayout.Page, "/pricing"))!["pageviews"]);
        Assert.False(await db.KeyExistsAsync(RollupLayout.DirtySet)); // nothing is put back to fail again
    }

    private static async Task<string> CreateSiteAsync(AggregatorWorld w)
    {
        var siteId = SiteKeys.NewSiteId();
        await w.Get<SiteRepository>().CreateAsync(
            new Site(siteId, "Other", ["other.example"], SiteKeys.NewPublicKey(), "hash", "UTC", true, AggregatorWorld.T0), CancellationToken.None);
        return siteId;
    }

    private static async Task<Dictionary<string, long>?> StatsOfAsync(AggregatorWorld w, string siteId, string dimension, string value)
    {
        var response = await w.Dynamo.GetItemAsync(new Amazon.DynamoDBv2.Model.GetItemRequest
        {
            TableName = w.TablePrefix + "Stats",
            Key = new()
            {
                ["pk"] = new() { S = RollupLayout.StatsPartitionKey(siteId, Granularity.Day, dimension) },
                ["sk"] = new() { S = RollupLayout.StatsSortKey(Day, value) },
            },
        });
        return response.Item is { Count: > 0 } item
            ? item.Where(kv => kv.Value.N is not null && kv.Key != "hll_crc32").ToDictionary(kv => kv.Key, kv => long.Parse(kv.Value.N, System.Globalization.CultureInfo.InvariantCulture))
            : null;
    }
}
