namespace LiveInsight.Dashboard.Sharing;

/// <summary>Public read-only links to one site's dashboard (issue [7/9]).</summary>
public static class SharingExtensions
{
    public static IHostApplicationBuilder AddSharing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenLookupOptions>().BindConfiguration(TokenLookupOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TokenLookupLimiter>();
        builder.Services.AddSingleton<ShareLinks>();
        builder.Services.AddSingleton<ShareForwarder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSharing(this IEndpointRouteBuilder app)
    {
        app.MapShareLinkApi();
        app.MapSharedDashboard();
        return app;
    }
}
