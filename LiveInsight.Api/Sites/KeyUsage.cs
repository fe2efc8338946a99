using System.Collections.Concurrent;
using LiveInsight.Core.Events;
using LiveInsight.Core.Sites;
using StackExchange.Redis;

namespace LiveInsight.Api.Sites;

/// <summary>
/// When each key was last used, kept in one Redis hash per site (<see cref="RedisKeys.KeysLastUsed"/>). Each replica
/// records a key at most once per UTC minute, so the times are accurate to the minute and cost the hot path one
/// dictionary lookup per request. Public keys are recorded inside the ingestion script (no extra round trip); secret
/// keys by a fire-and-forget HSET after read-side authentication.
/// </summary>
public sealed partial class KeyUsage(IConnectionMultiplexer redis, TimeProvider time, ILogger<KeyUsage> logger)
{
    private const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, long> _recordedMinute = new();

    public static string PublicField(string publicKey) => "pk:" + publicKey;

    public static string SecretField(string secretKeyHash) => "sk:" + secretKeyHash;

    /// <summary>The field to stamp when this request should record its public key's use (at most once per UTC minute
    /// per key on this replica), else null: the usual answer costs one lookup and no allocation.</summary>
    public string? PublicFieldToRecord(string publicKey) => ShouldRecord(publicKey) ? PublicField(publicKey) : null;

    /// <summary>True at most once per UTC minute per key on this replica (keyed by the public key or the secret's hash,
    /// which cannot collide: "pk_…" against hex).</summary>
    private bool ShouldRecord(string key)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (_recordedMinute.TryGetValue(key, out var last) && last == minute)
        {
            return false;
        }

        if (_recordedMinute.Count >= MaxTracked)
        {
            foreach (var (old, at) in _recordedMinute)
            {
                if (at != minute)
                {
                    _recordedMinute.TryRemove(old, out _);
                }
            }
        }

        _recordedMinute[key] = minute;
        return true;
    }

    /// <summary>Records a read with a secret key without making the request wait; a failure is logged, not thrown.</summary>
    public void RecordSecretKeyUse(string siteId, string secretKeyHash)
    {
        if (ShouldRecord(secretKeyHash))
        {
            _ = RecordAsync(siteId, SecretField(secretKeyHash));
        }
    }

    private async Task RecordAsync(string siteId, string field)
    {
        try
        {
            var db = redis.GetDatabase();
            var key = RedisKeys.KeysLastUsed(siteId);
            var batch = db.CreateBatch();
            var set = batch.HashSetAsync(key, field, time.GetUtcNow().ToUnixTimeMilliseconds());
            var expire = batch.KeyExpireAsync(key, TimeSpan.FromSeconds(RedisKeys.Ttl.KeysLastUsedSeconds));
            batch.Execute();
            await Task.WhenAll(set, expire);
        }
        catch (Exception e)
        {
            LogRecordFailed(e, siteId);
        }
    }

    /// <summary>Every recorded time of each site, one pipelined HGETALL per site. Without Redis the sites are still
    /// listed (site management must not depend on the hot path's store), only without times.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, DateTimeOffset>>> ReadAsync(
        IReadOnlyCollection<Site> sites)
    {
        var db = redis.GetDatabase();
        var reads = sites.Select(s => (s.SiteId, Task: db.HashGetAllAsync(RedisKeys.KeysLastUsed(s.SiteId)))).ToList();
        try
        {
            await Task.WhenAll(reads.Select(r => r.Task));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogReadFailed(e, sites.Count);
            return sites.ToDictionary(s => s.SiteId, _ => (IReadOnlyDictionary<string, DateTimeOffset>)new Dictionary<string, DateTimeOffset>());
        }

        return reads.ToDictionary(
            r => r.SiteId,
            r => (IReadOnlyDictionary<string, DateTimeOffset>)r.Task.Result
                .Where(e => e.Value.TryParse(out long _))
                .ToDictionary(e => (string)e.Name!, e => DateTimeOffset.FromUnixTimeMilliseconds((long)e.Value)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the keys' last use of {Count} sites; listed without it")]
    private partial void LogReadFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the use of a secret key of site {SiteId}")]
    private partial void LogRecordFailed(Exception exception, string siteId);
}
