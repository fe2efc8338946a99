using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Core.Lifecycle;

public static class LifecycleExtensions
{
    /// <summary>Deletion, erasure, reset and retention (<see cref="SitePurge"/>), for the Api (requests) and the
    /// aggregator (the daily job); <paramref name="lake"/> finds the process's lake store (null: no lake).</summary>
    public static IServiceCollection AddSiteLifecycle(this IServiceCollection services, Func<IServiceProvider, ILakeStore?> lake)
    {
        services.AddSingleton<SiteRedisData>();
        services.AddSingleton<DynamoDeletes>();
        services.AddSingleton(sp => new SitePurge(
            sp.GetRequiredService<SiteRepository>(),
            sp.GetRequiredService<SiteRedisData>(),
            sp.GetRequiredService<DynamoDeletes>(),
            sp.GetRequiredService<IOptions<StorageOptions>>(),
            lake(sp)));
        return services;
    }
}
