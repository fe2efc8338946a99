using LiveInsight.Api.Query;
using LiveInsight.Api.Realtime;
using LiveInsight.Api.Stats;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lifecycle;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Scalar.AspNetCore;
using StackExchange.Redis;

namespace LiveInsight.Api.Extensions;

public static class ReadApiExtensions
{
    /// <summary>Realtime and stats: their services, HybridCache's Redis second level, and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddReadApis(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ReadOptions>().BindConfiguration(ReadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // HybridCache picks up this IDistributedCache as its second level, on the Api's own Redis connection.
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            o.InstanceName = RedisKeys.ReadCachePrefix;
            o.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>());
        });

        services.AddSingleton<StatsQueryLimiter>();
        services.AddSingleton<ReadCache>();
        services.AddSingleton<RealtimeService>();
        services.AddSingleton<RollupReader>();
        services.AddSingleton<VisitorCounter>();
        services.AddSingleton<StatsService>();
        services.AddOptions<Imports.ImportOptions>().BindConfiguration(Imports.ImportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Imports.ImportStore>();
        services.AddOptions<QueryOptions>().BindConfiguration(QueryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LakeFiles>();
        services.AddSingleton<QueryEngine>();

        // The data lifecycle (Apis/LifecycleApi): deletion, erasure, reset, export, over the same lake store.
        services.AddSiteLifecycle(sp => sp.GetRequiredService<LakeFiles>().Store);
        services.AddSingleton<Lifecycle.UserErasure>();
        services.AddOpenApi(options => options.AddDocumentTransformer<BearerSecurityScheme>());
        return builder;
    }

    /// <summary>The OpenAPI document (/openapi/v1.json) in every environment, and Scalar's interactive reference (/scalar)
    /// in development. Outside development the document needs the admin token: the Dashboard serves it to its signed-in
    /// users (its /api-reference), the Api does not publish its surface to strangers.</summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        var documents = app.MapGroup("");
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        else
        {
            documents.AddEndpointFilter<Auth.AdminTokenFilter>();
        }

        // One document, one fixed path: the {documentName} form answered an unknown name with a text/plain 404 echoing it.
        documents.MapOpenApi("/openapi/v1.json");

        // Someone who opens the Api's address in a browser finds where to go instead of a bare 404 (issue 23).
        var development = app.Environment.IsDevelopment();
        app.MapGet("/", () => TypedResults.Ok(new ApiIndex(
                "LiveInsight Api",
                "The dashboard is a separate service (http://localhost:5090 under ./liveinsight run); this is the tracker, ingestion and read API.",
                "/health",
                "/liveinsight.js",
                development ? "/scalar" : null,
                development ? "/openapi/v1.json" : "/openapi/v1.json (admin token; signed-in dashboard users: /api-reference on the dashboard)")))
            .WithName("ApiIndex")
            .ExcludeFromDescription();
        return app;
    }

    public sealed record ApiIndex(string Name, string About, string Health, string Tracker, string? Reference, string? OpenApi);
}
