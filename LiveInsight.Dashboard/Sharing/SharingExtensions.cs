namespace LiveInsight.Dashboard.Sharing;

/// <summary>Public read-only links to one site's dashboard (issue [7/9]).</summary>
public static class SharingExtensions
{
    public static IHostApplicationBuilder AddSharing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ShareLinks>();
        builder.Services.AddSingleton<ShareForwarder>();
        // Service discovery resolves http://api, as for the proxy.
        builder.Services.AddHttpClient<SiteDirectory>(http => http.BaseAddress = new Uri("http://api"));
        return builder;
    }

    public static IEndpointRouteBuilder MapSharing(this IEndpointRouteBuilder app)
    {
        app.MapShareLinkApi();
        app.MapSharedDashboard();
        return app;
    }
}
