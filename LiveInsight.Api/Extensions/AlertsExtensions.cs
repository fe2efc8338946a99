using LiveInsight.Api.Reports;
using LiveInsight.Core.Alerts;

namespace LiveInsight.Api.Extensions;

internal static class AlertsExtensions
{
    /// <summary>Rule and recipient management, unsubscribe links and the report schedule (<c>Alerts:Reports</c> false
    /// turns the schedule off, e.g. in tests that drive it step by step).</summary>
    public static IHostApplicationBuilder AddAlertsAndReports(this IHostApplicationBuilder builder)
    {
        builder.AddAlertsCore();
        builder.Services.AddSingleton<ReportBuilder>();
        builder.Services.AddSingleton<ReportScheduler>();
        if (builder.Configuration.GetValue("Alerts:Reports", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ReportScheduler>());
        }

        return builder;
    }
}
