using LiveInsight.Aggregator.Alerts;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Health;
using LiveInsight.Aggregator.Jobs;
using LiveInsight.Aggregator.Lake;
using LiveInsight.Aggregator.Rollups;
using LiveInsight.Aggregator.Sessions;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Lifecycle;
using LiveInsight.Core.Redis;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Extensions;

public static class Extensions
{
    /// <summary>Everything the aggregator runs on. <paramref name="runWorker"/> is false in tests that drive the
    /// consumer and the jobs step by step.</summary>
    public static IHostApplicationBuilder AddAggregator(this IHostApplicationBuilder builder, bool runWorker = true)
    {
        var services = builder.Services;
        services.AddOptions<AggregatorOptions>()
            .BindConfiguration(AggregatorOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        builder.AddLiveInsightRedis();
        builder.AddLiveInsightStorage();
        services.AddSingleton<SiteRepository>();
        services.AddSingleton<SiteZones>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<ValueCap>();
        services.AddSingleton<BatchProcessor>();
        services.AddSingleton<StreamConsumer>();
        services.AddSingleton<StatsFlusher>();
        services.AddSingleton<SessionCloser>();
        services.AddSingleton<StreamMaintenance>();
        services.AddSingleton<AggregatorState>();
        services.AddHealthChecks().AddCheck<AggregatorHealthCheck>("aggregator");

        // The event lake: its own consumer group, buffered Parquet parts, compaction (LakeWriter, LakeCompactor).
        services.AddOptions<LakeOptions>()
            .BindConfiguration(LakeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<LakeState>();
        // Where the files live: the folder Lake:Path, or an S3 bucket when Lake:S3:Bucket is set (Lake:Path is then
        // the local working folder).
        services.AddSingleton<ILakeStore>(sp => LakeStores.Create(builder.Configuration,
            sp.GetRequiredService<IOptions<LakeOptions>>().Value.ResolvedPath(sp.GetRequiredService<IHostEnvironment>().ContentRootPath)));
        services.AddSingleton<LakeWriter>();
        services.AddSingleton<LakeCompactor>();
        var lakeEnabled = builder.Configuration.GetValue($"{LakeOptions.SectionName}:{nameof(LakeOptions.Enabled)}", true);
        if (lakeEnabled)
        {
            services.AddHealthChecks().AddCheck<LakeHealthCheck>("lake");
        }

        // The rollups, one per file, run in this order over every event.
        services.AddSingleton<IRollup, SummaryRollup>();
        services.AddSingleton<IRollup, PageRollup>();
        services.AddSingleton<IRollup, DimensionRollup>();
        services.AddSingleton<IRollup, EventRollup>();
        services.AddSingleton<IRollup, PropRollup>();
        services.AddSingleton<IRollup, SessionRollup>();

        // Alerts: rules evaluated once a minute on one replica, sent by e-mail and webhooks (Alerts/, Jobs/AlertEvaluator).
        builder.AddAlertsCore();
        services.AddSingleton<AlertSignals>();
        services.AddSingleton<AlertConditions>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<AlertDispatcher>();
        services.AddSingleton<AlertEvaluator>();
        var alertsEnabled = builder.Configuration.GetValue("Alerts:Evaluate", true);

        // The data lifecycle: deletions finished and retention enforced (Jobs/SiteLifecycleJob, Core/Lifecycle).
        services.AddSiteLifecycle(sp => lakeEnabled ? sp.GetRequiredService<ILakeStore>() : null);
        services.AddSingleton<SiteLifecycleJob>();

        if (runWorker)
        {
            services.AddHostedService<AggregatorWorker>();
            if (alertsEnabled)
            {
                services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
            }

            services.AddHostedService(sp => sp.GetRequiredService<SiteLifecycleJob>());
            if (lakeEnabled)
            {
                services.AddHostedService(sp => sp.GetRequiredService<LakeWriter>());
                services.AddHostedService(sp => sp.GetRequiredService<LakeCompactor>());
            }
        }

        return builder;
    }
}
