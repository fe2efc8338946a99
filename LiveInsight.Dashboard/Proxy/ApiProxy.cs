using System.Net.Http.Headers;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace LiveInsight.Dashboard.Proxy;

/// <summary>
/// The browser talks only to the Dashboard: <c>/proxy/api/…</c> is forwarded by YARP to the Api (found by service
/// discovery as <c>http://api</c>) with the admin token added here, on the server. Only the read endpoints (GET) and,
/// for administrators, site management are routed; anything else is 404. Cookies and the CSRF header stay behind.
/// </summary>
public static class ApiProxy
{
    public const string Prefix = "/proxy";
    private const string Cluster = "api";

    private static readonly RouteConfig[] Routes =
    [
        Route("realtime", "/proxy/api/realtime/{**rest}", Policies.Viewer, "GET"),
        Route("stats", "/proxy/api/stats/{**rest}", Policies.Viewer, "GET"),
        Route("sites-read", "/proxy/api/sites", Policies.Viewer, "GET"),
        Route("sites-write", "/proxy/api/sites/{**rest}", Policies.Admin, "POST", "PATCH"),
    ];

    public static IHostApplicationBuilder AddApiProxy(this IHostApplicationBuilder builder)
    {
        var clusters = new[]
        {
            new ClusterConfig
            {
                ClusterId = Cluster,
                Destinations = new Dictionary<string, DestinationConfig> { ["api"] = new() { Address = "http://api" } },
                // The realtime stream is long-lived: a snapshot arrives every 2 s, so a minute of silence means trouble.
                HttpRequest = new() { ActivityTimeout = TimeSpan.FromMinutes(1) },
            },
        };
        builder.Services.AddReverseProxy()
            .LoadFromMemory(Routes, clusters)
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(context => context.AddRequestTransform(transform =>
            {
                var token = transform.HttpContext.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value.AdminToken;
                var headers = transform.ProxyRequest.Headers;
                headers.Remove("Cookie");
                headers.Remove(Security.CsrfHeader);
                headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return ValueTask.CompletedTask;
            }));
        return builder;
    }

    public static IEndpointRouteBuilder MapApiProxy(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(async (context, next) =>
            {
                if (!await CsrfFilter.IsValidAsync(context))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.Response.WriteAsJsonAsync(new { title = "Missing or invalid CSRF token", status = 400 });
                    return;
                }

                await next();
            });
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    private static RouteConfig Route(string id, string path, string policy, params string[] methods) => new()
    {
        RouteId = id,
        ClusterId = Cluster,
        AuthorizationPolicy = policy,
        Match = new RouteMatch { Path = path, Methods = methods },
        Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = Prefix }],
    };
}
