using LiveInsight.Api.Auth;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Api.Ingestion.Pipeline;
using LiveInsight.Core.Privacy;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Ingestion;

public sealed class IngestionOptions
{
    public const string SectionName = "LiveInsight:Ingestion";

    /// <summary>CIDRs of proxies (the load balancer) whose <c>X-Forwarded-For</c> is believed. Empty: none, the
    /// connection's address is the client.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Ingestion requests per minute per site key, unless the site sets its own (original design: 1,000).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000_000)]
    public int RequestsPerMinute { get; set; } = 1000;

    /// <summary>Events per minute a site may send, per request of its per-minute request limit: 20 × 1,000 = 20,000
    /// events a minute by default, and a site with its own request limit gets the same multiple of it. One request
    /// carries up to 50 events, so without this a key could write 50 × its request limit.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 50)]
    public int EventsPerRequestOfLimit { get; set; } = 20;

    /// <summary>Stream payload bytes (the events as written to Redis) per minute a site may send, per request of its
    /// per-minute request limit: 4 KB × 1,000 = 4 MB a minute by default. Bounds how fast one key can grow the stream
    /// (and Redis with it) while the aggregator catches up.</summary>
    [System.ComponentModel.DataAnnotations.Range(256, 1024 * 1024)]
    public int BytesPerRequestOfLimit { get; set; } = 4096;

    /// <summary>Requests without a valid key per client address (masked) per minute; 0 turns the limit off.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1_000_000)]
    public int UnauthenticatedPerIpPerMinute { get; set; } = 120;

    /// <summary>For trackers that keep no session (Plausible's, Umami's): a visitor idle this long starts a new session,
    /// as Plausible's server splits them (30 minutes).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 24 * 3600)]
    public int DerivedSessionIdleSeconds { get; set; } = 30 * 60;
}

public static class IngestionExtensions
{
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UnauthenticatedLimiter>();
        services.AddHybridCache();
        services.AddSingleton<SiteCache>();
        services.AddSingleton<LiveInsight.Core.Accounts.PersonalTokens>();
        services.AddSingleton<Auth.PersonalTokenAccess>();
        services.AddSingleton<Sites.KeyUsage>();
        services.AddSingleton<DailySalts>();
        services.AddSingleton<EventWriter>();
        services.AddSingleton<EventIngestor>();
        services.AddSingleton<InstallationCheck>();
        services.AddSingleton<DerivedSessions>();
        services.AddSingleton<UserAgentParser>();
        services.AddSingleton<CountryLookup>();
        services.AddSingleton(sp => new ClientIpResolver(sp.GetRequiredService<IOptions<IngestionOptions>>().Value.TrustedProxies));

        // Aspire sets ASPNETCORE_FORWARDEDHEADERS_ENABLED, which would let anyone set their IP with X-Forwarded-For.
        // The client IP is resolved by ClientIpResolver from the configured trusted proxies instead.
        services.PostConfigure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.None);

        // The pipeline, in order. Cheap request-level drops first, so bots and opted-out visitors cost least.
        // The steps and their order: IngestPipeline.Order, the one list.
        IngestPipeline.AddTo(services);
        return builder;
    }
}
