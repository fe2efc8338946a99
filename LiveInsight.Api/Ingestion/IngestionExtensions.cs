using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Api.Ingestion.Pipeline;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Ingestion;

public sealed class IngestionOptions
{
    public const string SectionName = "LiveInsight:Ingestion";

    /// <summary>CIDRs of proxies (the load balancer) whose <c>X-Forwarded-For</c> is believed. Empty: none, the
    /// connection's address is the client.</summary>
    public string[] TrustedProxies { get; set; } = [];
}

public static class IngestionExtensions
{
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName);
        services.AddHybridCache();
        services.AddSingleton<SiteResolver>();
        services.AddSingleton<DailySalts>();
        services.AddSingleton<EventWriter>();
        services.AddSingleton<EventIngestor>();
        services.AddSingleton<UserAgentParser>();
        services.AddSingleton<CountryLookup>();
        services.AddSingleton(sp => new ClientIpResolver(sp.GetRequiredService<IOptions<IngestionOptions>>().Value.TrustedProxies));

        // Aspire sets ASPNETCORE_FORWARDEDHEADERS_ENABLED, which would let anyone set their IP with X-Forwarded-For.
        // The client IP is resolved by ClientIpResolver from the configured trusted proxies instead.
        services.PostConfigure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.None);

        // The pipeline, in order. Cheap request-level drops first, so bots and opted-out visitors cost least.
        services.AddSingleton<IIngestStep, DropDoNotTrack>();
        services.AddSingleton<IIngestStep, PutUserAgent>();
        services.AddSingleton<IIngestStep, DropExcludedIp>();
        services.AddSingleton<IIngestStep, PutEventFields>();
        services.AddSingleton<IIngestStep, PutTimestamp>();
        services.AddSingleton<IIngestStep, PutPage>();
        services.AddSingleton<IIngestStep, DropExcludedPath>();
        services.AddSingleton<IIngestStep, PutSource>();
        services.AddSingleton<IIngestStep, PutCountry>();
        services.AddSingleton<IIngestStep, PutVisitorId>();
        services.AddSingleton<IngestPipeline>();
        return builder;
    }
}
