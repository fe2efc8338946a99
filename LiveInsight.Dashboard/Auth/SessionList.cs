using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Auth;

/// <summary>One signed-in browser of an account, as its owner sees it in the list.</summary>
public sealed record SessionEntry(string Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string UserAgent);

/// <summary>
/// The sessions of an account, listed and ended one by one: each sign-in adds an entry to the map <c>sessions</c> on the
/// user item (id → created, last seen, user agent capped at <see cref="MaxUserAgent"/>) and puts its id in the cookie
/// (<see cref="ClaimType"/>); the cookie check (<see cref="SessionStamps"/>) refuses a cookie whose id is no longer in the
/// map. At most <see cref="MaxSessions"/> entries are kept: a sign-in drops entries unseen for the cookie's lifetime and
/// then the least recently seen. Last seen is written at most every <see cref="SeenEvery"/> per session and replica.
/// Cookies made before session ids existed carry none and are checked by the stamp alone ("sign out everywhere" and
/// "end all other sessions" end them).
/// </summary>
public sealed class SessionList(IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage, IMemoryCache cache, TimeProvider time)
{
    public const string ClaimType = "li_sid";
    public const int MaxSessions = 20;
    public const int MaxUserAgent = 200;
    public static readonly TimeSpan SeenEvery = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private const string Attribute = "sessions";

    private string TableName => storage.Value.TableName(Tables.Users);

    public static string NewId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(12));

    /// <summary>Adds the session (after pruning).</summary>
    /// <returns>False when the account has no item (single sign-on, not added by anyone): the session is then unlisted.</returns>
    public async Task<bool> AddAsync(string email, string id, string? userAgent, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var existing = await ListAsync(email, cancellationToken);
        var drop = existing.Where(s => now - s.LastSeenAt > Lifetime).ToList();
        drop.AddRange(existing.Except(drop).OrderBy(s => s.LastSeenAt).Take(Math.Max(0, existing.Count - drop.Count - (MaxSessions - 1))));
        var names = new Dictionary<string, string> { ["#s"] = Attribute, ["#id"] = id };
        var remove = string.Join(", ", drop.Select((s, i) => { names[$"#d{i}"] = s.Id; return $"#s.#d{i}"; }));
        var agent = new string((userAgent ?? "").Where(c => !char.IsControl(c)).Take(MaxUserAgent).ToArray());
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = "SET #s.#id = :entry" + (remove.Length > 0 ? " REMOVE " + remove : ""),
                ConditionExpression = "attribute_exists(#s)",
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = new() { [":entry"] = Entry(now, now, agent) },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // No map yet (or no item): start one, if the item exists.
            try
            {
                await dynamo.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = Key(email),
                    UpdateExpression = "SET #s = :map",
                    ConditionExpression = "attribute_exists(email) AND attribute_not_exists(#s)",
                    ExpressionAttributeNames = new() { ["#s"] = Attribute },
                    ExpressionAttributeValues = new() { [":map"] = new() { M = new() { [id] = Entry(now, now, agent) } } },
                }, cancellationToken);
            }
            catch (ConditionalCheckFailedException)
            {
                // No item, or another sign-in made the map meanwhile: this session is then unlisted, checked by stamp alone.
                return false;
            }
        }

        cache.Remove(CacheKey(email));
        return true;
    }

    public async Task<IReadOnlyList<SessionEntry>> ListAsync(string email, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = Key(email),
            ProjectionExpression = "#s",
            ExpressionAttributeNames = new() { ["#s"] = Attribute },
            ConsistentRead = true,
        }, cancellationToken);
        if (response.Item is null || !response.Item.TryGetValue(Attribute, out var map) || map.M is null)
        {
            return [];
        }

        return [.. map.M.Select(p => new SessionEntry(p.Key, Parse(p.Value.M, "c"), Parse(p.Value.M, "s"),
            p.Value.M.TryGetValue("a", out var a) ? a.S ?? "" : "")).OrderByDescending(s => s.LastSeenAt)];
    }

    /// <summary>Whether the cookie's session is still listed (cached like the stamp), and a last-seen write when due.</summary>
    public async Task<bool> IsLiveAsync(string email, string id, TimeSpan cacheFor, CancellationToken cancellationToken)
    {
        var key = CacheKey(email);
        var cached = cache.TryGetValue(key, out HashSet<string>? ids) && ids is not null;
        if (!cached || !ids!.Contains(id))
        {
            // Also when the cached list lacks the id: the session may have begun on another replica since it was read.
            ids = [.. (await ListAsync(email, cancellationToken)).Select(s => s.Id)];
            if (cacheFor > TimeSpan.Zero)
            {
                cache.Set(key, ids, cacheFor);
            }
        }

        if (!ids.Contains(id))
        {
            return false;
        }

        if (!cache.TryGetValue("session-seen:" + id, out _))
        {
            cache.Set("session-seen:" + id, true, SeenEvery);
            await SeenAsync(email, id, cancellationToken);
        }

        return true;
    }

    /// <returns>False when the account has no session with this id.</returns>
    public async Task<bool> RemoveAsync(string email, string id, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = "REMOVE #s.#id",
                ConditionExpression = "attribute_exists(#s.#id)",
                ExpressionAttributeNames = new() { ["#s"] = Attribute, ["#id"] = id },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
        finally
        {
            cache.Remove(CacheKey(email));
        }
    }

    /// <summary>Keeps only <paramref name="keep"/> (or none): with a new stamp, every other cookie is refused.</summary>
    public async Task KeepOnlyAsync(string email, string? keep, CancellationToken cancellationToken)
    {
        var current = keep is null ? null : (await ListAsync(email, cancellationToken)).FirstOrDefault(s => s.Id == keep);
        var map = current is null ? new Dictionary<string, AttributeValue>()
            : new Dictionary<string, AttributeValue> { [current.Id] = Entry(current.CreatedAt, time.GetUtcNow(), current.UserAgent) };
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = "SET #s = :map",
                ConditionExpression = "attribute_exists(email)",
                ExpressionAttributeNames = new() { ["#s"] = Attribute },
                ExpressionAttributeValues = new() { [":map"] = new() { M = map } },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
        }

        cache.Remove(CacheKey(email));
    }

    public static string? IdOf(ClaimsPrincipal user) => user.FindFirstValue(ClaimType);

    private async Task SeenAsync(string email, string id, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = "SET #s.#id.#seen = :now",
                ConditionExpression = "attribute_exists(#s.#id)",
                ExpressionAttributeNames = new() { ["#s"] = Attribute, ["#id"] = id, ["#seen"] = "s" },
                ExpressionAttributeValues = new() { [":now"] = new() { S = Timestamp(time.GetUtcNow()) } },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
        }
    }

    private static AttributeValue Entry(DateTimeOffset created, DateTimeOffset seen, string agent) => new()
    {
        M = new() { ["c"] = new() { S = Timestamp(created) }, ["s"] = new() { S = Timestamp(seen) }, ["a"] = new() { S = agent.Length == 0 ? "-" : agent } },
    };

    private static DateTimeOffset Parse(Dictionary<string, AttributeValue>? m, string field) =>
        m is not null && m.TryGetValue(field, out var v) && DateTimeOffset.TryParse(v.S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;

    private static string Timestamp(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static Dictionary<string, AttributeValue> Key(string email) => new() { ["email"] = new() { S = DashboardUser.NormaliseEmail(email) } };

    private static string CacheKey(string email) => "session-ids:" + DashboardUser.NormaliseEmail(email);
}
