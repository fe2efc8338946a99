using StackExchange.Redis;

namespace LiveInsight.Core.Redis;

/// <summary>
/// "Once across replicas" for periodic jobs (alert evaluation, scheduled reports): a lease is a Redis string set with
/// NX and a TTL, holding a random owner; only its owner releases it (a compare-and-delete script), so a job that ran past
/// its lease cannot delete the next holder's. A crashed holder's lease simply expires.
/// </summary>
public static class RedisLease
{
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <returns>What <paramref name="work"/> returned, or null when another replica holds the lease.</returns>
    public static async Task<T?> RunAsync<T>(IDatabase db, string key, TimeSpan lease, Func<Task<T>> work)
        where T : struct
    {
        var owner = Guid.NewGuid().ToString("N");
        if (!await db.StringSetAsync(key, owner, lease, When.NotExists))
        {
            return null;
        }

        try
        {
            return await work();
        }
        finally
        {
            await db.ScriptEvaluateAsync(ReleaseScript, [key], [owner]);
        }
    }
}
