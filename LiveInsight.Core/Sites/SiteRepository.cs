using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Sites;

public sealed class SiteRepository(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    private string TableName => options.Value.TableName(Tables.Sites);

    public async Task CreateAsync(Site site, CancellationToken cancellationToken)
    {
        await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = ToItem(site),
            // Ids are random; the condition turns an astronomically unlikely collision into an error, not an overwrite.
            ConditionExpression = "attribute_not_exists(site_id)",
        }, cancellationToken);
    }

    /// <summary>
    /// Replaces a site (settings or keys) if it is still the version <paramref name="site"/> was read at, storing the
    /// next version. <see cref="SiteUpdate.Conflict"/>: someone changed it meanwhile (read again and retry);
    /// <see cref="SiteUpdate.NotFound"/>: there is no such site. Items written before versions existed count as 0.
    /// </summary>
    public async Task<SiteUpdate> UpdateAsync(Site site, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = TableName,
                Item = ToItem(site with { Version = site.Version + 1 }),
                // A site being deleted is never written back (that would drop its deletion mark).
                ConditionExpression = site.Version == 0
                    ? $"attribute_exists(site_id) AND attribute_not_exists({DeletingSince}) AND (attribute_not_exists(version) OR version = :read)"
                    : $"attribute_exists(site_id) AND attribute_not_exists({DeletingSince}) AND version = :read",
                ExpressionAttributeValues = new() { [":read"] = new AttributeValue { N = site.Version.ToString(CultureInfo.InvariantCulture) } },
            }, cancellationToken);
            return SiteUpdate.Updated;
        }
        catch (ConditionalCheckFailedException)
        {
            return await FindByIdAsync(site.SiteId, cancellationToken) is null ? SiteUpdate.NotFound : SiteUpdate.Conflict;
        }
    }

    public async Task<IReadOnlyList<Site>> ListAsync(CancellationToken cancellationToken)
    {
        var sites = new List<Site>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest { TableName = TableName, ExclusiveStartKey = startKey }, cancellationToken);
            if (page.Items is { Count: > 0 })
            {
                sites.AddRange(page.Items.Where(item => !item.ContainsKey(AliasOf) && !item.ContainsKey(DeletingSince)).Select(FromItem));
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (startKey is not null);

        return sites.OrderBy(site => site.CreatedAt).ToList();
    }

    /// <summary>The site, or null when there is none or it is being deleted (<see cref="FindAnyByIdAsync"/> finds those).</summary>
    public async Task<Site?> FindByIdAsync(string siteId, CancellationToken cancellationToken) =>
        await FindAnyByIdAsync(siteId, cancellationToken) is { DeletingSince: null } site ? site : null;

    /// <summary>The site's record, also while it is being deleted (<see cref="Site.DeletingSince"/> set).</summary>
    public async Task<Site?> FindAnyByIdAsync(string siteId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["site_id"] = new AttributeValue { S = siteId } },
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item && !item.ContainsKey(AliasOf) ? FromItem(item) : null;
    }

    /// <summary>Sites whose deletion began and has not finished (a crash, or the final sweep still to come).</summary>
    public async Task<IReadOnlyList<Site>> ListDeletingAsync(CancellationToken cancellationToken)
    {
        var sites = new List<Site>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = TableName,
                FilterExpression = "attribute_exists(#d)",
                ExpressionAttributeNames = new() { ["#d"] = DeletingSince },
                ExclusiveStartKey = startKey,
            }, cancellationToken);
            sites.AddRange((page.Items ?? []).Select(FromItem));
            startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (startKey is not null);

        return sites;
    }

    /// <summary>Marks the site as being deleted (once: a second call keeps the first time) and returns it as marked;
    /// null when there is no such site. From then on ingestion refuses its events and reads do not find it.</summary>
    public async Task<Site?> MarkDeletingAsync(string siteId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = new() { ["site_id"] = new AttributeValue { S = siteId } },
                UpdateExpression = "SET #d = if_not_exists(#d, :now)",
                ConditionExpression = "attribute_exists(site_id) AND attribute_not_exists(alias_of)",
                ExpressionAttributeNames = new() { ["#d"] = DeletingSince },
                ExpressionAttributeValues = new() { [":now"] = new AttributeValue { S = now.ToString("O", CultureInfo.InvariantCulture) } },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }

        return await FindAnyByIdAsync(siteId, cancellationToken);
    }

    /// <summary>The last step of a deletion: the record itself, only if it is marked (a site never deleted by accident).</summary>
    public async Task DeleteMarkedAsync(string siteId, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = TableName,
                Key = new() { ["site_id"] = new AttributeValue { S = siteId } },
                ConditionExpression = "attribute_exists(#d)",
                ExpressionAttributeNames = new() { ["#d"] = DeletingSince },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Gone already (a repeat), or not marked: nothing to do either way.
        }
    }

    /// <summary>The key aliases (<see cref="RetireKeysAsync"/>) still pointing at a site, expired or not.</summary>
    public async Task<IReadOnlyList<string>> AliasIdsOfAsync(string siteId, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = TableName,
                FilterExpression = "alias_of = :s",
                ExpressionAttributeValues = new() { [":s"] = new AttributeValue { S = siteId } },
                ProjectionExpression = "site_id",
                ExclusiveStartKey = startKey,
            }, cancellationToken);
            ids.AddRange((page.Items ?? []).Select(i => i["site_id"].S));
            startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (startKey is not null);

        return ids;
    }

    /// <summary>The site of a public key, also while it is being deleted (<see cref="Site.DeletingSince"/>: ingestion
    /// refuses its events with that reason).</summary>
    public async Task<Site?> FindByPublicKeyAsync(string publicKey, CancellationToken cancellationToken) =>
        await FindByIndexAsync("public_key-index", "public_key", publicKey, cancellationToken)
        ?? await FindRetiredAsync(RetiredPublicKeyId(publicKey), cancellationToken);

    public Task<Site?> FindBySecretKeyAsync(string secretKey, CancellationToken cancellationToken) =>
        FindBySecretKeyHashAsync(SiteKeys.HashSecret(secretKey), cancellationToken);

    /// <summary>The site whose secret key has this <see cref="SiteKeys.HashSecret"/> (current, or retired with its grace).
    /// A site being deleted is not found (reads answer as for no site).</summary>
    public async Task<Site?> FindBySecretKeyHashAsync(string secretKeyHash, CancellationToken cancellationToken) =>
        (await FindByIndexAsync("secret_key_hash-index", "secret_key_hash", secretKeyHash, cancellationToken)
         ?? await FindRetiredAsync(RetiredSecretId(secretKeyHash), cancellationToken)) is { DeletingSince: null } site ? site : null;

    /// <summary>
    /// Keeps a site's current keys working until <paramref name="until"/> after a rotation replaces them: one small
    /// alias item per key in the Sites table (no index needed: its id is derived from the key), expiring by TTL.
    /// </summary>
    public async Task RetireKeysAsync(Site site, DateTimeOffset until, CancellationToken cancellationToken)
    {
        foreach (var id in new[] { RetiredPublicKeyId(site.PublicKey), RetiredSecretId(site.SecretKeyHash) })
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = TableName,
                Item = new()
                {
                    ["site_id"] = new AttributeValue { S = id },
                    [AliasOf] = new AttributeValue { S = site.SiteId },
                    ["retired_until"] = new AttributeValue { S = until.ToString("O", CultureInfo.InvariantCulture) },
                    ["expires_at"] = new AttributeValue { N = until.AddDays(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
            }, cancellationToken);
        }
    }

    /// <summary>Ends the grace period of retired keys now: their alias items go, so lookups by them find nothing.
    /// The caller clears <see cref="Site.RetiredKeys"/> and the caches.</summary>
    public async Task DeleteRetiredKeysAsync(IEnumerable<RetiredKey> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            foreach (var id in new[] { RetiredPublicKeyId(key.PublicKey), RetiredSecretId(key.SecretKeyHash) })
            {
                await dynamo.DeleteItemAsync(new DeleteItemRequest
                {
                    TableName = TableName,
                    Key = new() { ["site_id"] = new AttributeValue { S = id } },
                }, cancellationToken);
            }
        }
    }

    private const string AliasOf = "alias_of";

    private const string DeletingSince = "deleting_since";

    private static string RetiredPublicKeyId(string publicKey) => "retired-key#" + publicKey;

    private static string RetiredSecretId(string secretKeyHash) => "retired-secret#" + secretKeyHash;

    private async Task<Site?> FindRetiredAsync(string aliasId, CancellationToken cancellationToken)
    {
        var alias = (await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["site_id"] = new AttributeValue { S = aliasId } },
        }, cancellationToken)).Item;
        if (alias is not { Count: > 0 } || !alias.TryGetValue(AliasOf, out var target))
        {
            return null;
        }

        var site = await FindAnyByIdAsync(target.S, cancellationToken);
        return site is null ? null : site with
        {
            KeyValidUntil = DateTimeOffset.Parse(alias["retired_until"].S, CultureInfo.InvariantCulture),
        };
    }

    private async Task<Site?> FindByIndexAsync(string index, string attribute, string value, CancellationToken cancellationToken)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = TableName,
            IndexName = index,
            KeyConditionExpression = "#k = :v",
            ExpressionAttributeNames = new() { ["#k"] = attribute },
            ExpressionAttributeValues = new() { [":v"] = new AttributeValue { S = value } },
            Limit = 1,
        }, cancellationToken);
        return response.Items is { Count: > 0 } ? FromItem(response.Items[0]) : null;
    }

    private static Dictionary<string, AttributeValue> ToItem(Site site)
    {
        var item = BaseItem(site);
        if (site.IdentifySecret is { Length: > 0 } secret)
        {
            item["identify_secret"] = new AttributeValue { B = new MemoryStream(secret) };
        }

        return item;
    }

    private static Dictionary<string, AttributeValue> BaseItem(Site site) => new()
    {
        ["site_id"] = new AttributeValue { S = site.SiteId },
        ["name"] = new AttributeValue { S = site.Name },
        ["domains"] = StringList(site.Domains),
        ["public_key"] = new AttributeValue { S = site.PublicKey },
        ["secret_key_hash"] = new AttributeValue { S = site.SecretKeyHash },
        ["time_zone"] = new AttributeValue { S = site.TimeZone },
        ["honor_dnt"] = new AttributeValue { BOOL = site.HonorDoNotTrack },
        ["created_at"] = new AttributeValue { S = site.CreatedAt.ToString("O", CultureInfo.InvariantCulture) },
        ["excluded_paths"] = StringList(site.ExcludedPaths),
        ["excluded_ip_ranges"] = StringList(site.ExcludedIpRanges),
        ["rate_limit_per_minute"] = new AttributeValue { N = site.RateLimitPerMinute.ToString(CultureInfo.InvariantCulture) },
        ["allow_subdomains"] = new AttributeValue { BOOL = site.AllowSubdomains },
        ["allow_null_origin"] = new AttributeValue { BOOL = site.AllowNullOrigin },
        ["version"] = new AttributeValue { N = site.Version.ToString(CultureInfo.InvariantCulture) },
        ["accept_plausible"] = new AttributeValue { BOOL = site.AcceptPlausible },
        ["identify_enabled"] = new AttributeValue { BOOL = site.IdentifyEnabled },
        ["umami_website_id"] = new AttributeValue { S = site.UmamiWebsiteId },
        ["goals"] = new AttributeValue { L = site.Goals.Select(GoalItem).ToList() },
        ["funnels"] = new AttributeValue { L = site.Funnels.Select(FunnelItem).ToList() },
        ["retention_months"] = site.RetentionMonths is { } months
            ? new AttributeValue { N = months.ToString(CultureInfo.InvariantCulture) }
            : new AttributeValue { NULL = true },
        ["retired_keys"] = new AttributeValue
        {
            L = site.RetiredKeys.Select(k => new AttributeValue
            {
                M = new()
                {
                    ["public_key"] = new AttributeValue { S = k.PublicKey },
                    ["secret_key_hash"] = new AttributeValue { S = k.SecretKeyHash },
                    ["valid_until"] = new AttributeValue { S = k.ValidUntil.ToString("O", CultureInfo.InvariantCulture) },
                },
            }).ToList(),
        },
    };

    private static AttributeValue GoalItem(Goal goal)
    {
        var map = new Dictionary<string, AttributeValue>
        {
            ["id"] = new AttributeValue { S = goal.Id },
            ["kind"] = new AttributeValue { S = goal.Kind },
            ["display_name"] = new AttributeValue { S = goal.DisplayName },
        };
        foreach (var (name, value) in new[] { ("path", goal.Path), ("event_name", goal.EventName), ("prop_key", goal.PropKey), ("prop_value", goal.PropValue) })
        {
            if (value is not null)
            {
                map[name] = new AttributeValue { S = value };
            }
        }

        return new AttributeValue { M = map };
    }

    private static Goal ReadGoal(Dictionary<string, AttributeValue> m)
    {
        string? Optional(string name) => m.TryGetValue(name, out var v) ? v.S : null;
        return new Goal(m["id"].S, m["kind"].S, m["display_name"].S, Optional("path"), Optional("event_name"), Optional("prop_key"), Optional("prop_value"));
    }

    private static AttributeValue FunnelItem(Funnel funnel) => new()
    {
        M = new Dictionary<string, AttributeValue>
        {
            ["id"] = new AttributeValue { S = funnel.Id },
            ["name"] = new AttributeValue { S = funnel.Name },
            ["window"] = new AttributeValue { S = funnel.Window },
            ["steps"] = new AttributeValue { L = funnel.Steps.Select(StepItem).ToList() },
        },
    };

    private static AttributeValue StepItem(FunnelStep step)
    {
        var map = new Dictionary<string, AttributeValue> { ["kind"] = new AttributeValue { S = step.Kind } };
        foreach (var (name, value) in new[] { ("path", step.Path), ("event_name", step.EventName), ("prop_key", step.PropKey), ("prop_value", step.PropValue), ("display_name", step.DisplayName) })
        {
            if (value is not null)
            {
                map[name] = new AttributeValue { S = value };
            }
        }

        return new AttributeValue { M = map };
    }

    private static Funnel ReadFunnel(Dictionary<string, AttributeValue> m)
    {
        static FunnelStep Step(Dictionary<string, AttributeValue> s)
        {
            string? Optional(string name) => s.TryGetValue(name, out var v) ? v.S : null;
            return new FunnelStep(s["kind"].S, Optional("path"), Optional("event_name"), Optional("prop_key"), Optional("prop_value"), Optional("display_name"));
        }

        return new Funnel(m["id"].S, m["name"].S, m["steps"].L.Select(s => Step(s.M)).ToList(), m.TryGetValue("window", out var w) ? w.S : Funnel.SessionWindow);
    }

    private static AttributeValue StringList(IEnumerable<string> values) =>
        new() { L = values.Select(v => new AttributeValue { S = v }).ToList() };

    private static IReadOnlyList<string> ReadStringList(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.L is { Count: > 0 } ? value.L.Select(v => v.S).ToList() : [];

    private static Site FromItem(Dictionary<string, AttributeValue> item) => new(
        item["site_id"].S,
        item["name"].S,
        ReadStringList(item, "domains"),
        item["public_key"].S,
        item["secret_key_hash"].S,
        item.TryGetValue("time_zone", out var tz) ? tz.S : "UTC",
        !item.TryGetValue("honor_dnt", out var dnt) || dnt.BOOL != false,
        DateTimeOffset.Parse(item["created_at"].S, CultureInfo.InvariantCulture))
    {
        ExcludedPaths = ReadStringList(item, "excluded_paths"),
        ExcludedIpRanges = ReadStringList(item, "excluded_ip_ranges"),
        RateLimitPerMinute = item.TryGetValue("rate_limit_per_minute", out var limit) && limit.N is { } n
            ? int.Parse(n, CultureInfo.InvariantCulture)
            : 0,
        AllowSubdomains = item.TryGetValue("allow_subdomains", out var subdomains) && subdomains.BOOL == true,
        AllowNullOrigin = item.TryGetValue("allow_null_origin", out var nullOrigin) && nullOrigin.BOOL == true,
        // Absent on sites stored before compatibility existed: Plausible's tracker accepted, the Umami id derived.
        AcceptPlausible = !item.TryGetValue("accept_plausible", out var plausible) || plausible.BOOL != false,
        IdentifyEnabled = item.TryGetValue("identify_enabled", out var identify) && identify.BOOL == true,
        IdentifySecret = item.TryGetValue("identify_secret", out var secret) && secret.B is { Length: > 0 } bytes ? bytes.ToArray() : null,
        UmamiWebsiteId = item.TryGetValue("umami_website_id", out var umami) && umami.S is { Length: > 0 } id ? id : null!, // null: derived
        Version = item.TryGetValue("version", out var version) && version.N is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : 0,
        RetentionMonths = item.TryGetValue("retention_months", out var retention) && retention.N is { } rm ? int.Parse(rm, CultureInfo.InvariantCulture) : null,
        DeletingSince = item.TryGetValue(DeletingSince, out var deleting) && deleting.S is { } ds
            ? DateTimeOffset.Parse(ds, CultureInfo.InvariantCulture)
            : null,
        Goals = item.TryGetValue("goals", out var goals) && goals.L is { Count: > 0 } ? goals.L.Select(g => ReadGoal(g.M)).ToList() : [],
        Funnels = item.TryGetValue("funnels", out var funnels) && funnels.L is { Count: > 0 } ? funnels.L.Select(f => ReadFunnel(f.M)).ToList() : [],
        RetiredKeys = item.TryGetValue("retired_keys", out var retired) && retired.L is { Count: > 0 }
            ? retired.L.Select(k => new RetiredKey(
                k.M["public_key"].S,
                k.M["secret_key_hash"].S,
                DateTimeOffset.Parse(k.M["valid_until"].S, CultureInfo.InvariantCulture))).ToList()
            : [],
    };
}

public enum SiteUpdate
{
    Updated,
    NotFound,
    Conflict,
}
