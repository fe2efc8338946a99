using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LiveInsight.Core.Alerts;

public static class AlertsExtensions
{
    /// <summary>What both the Api (reports, unsubscribe, rule management) and the aggregator (alerts) need.</summary>
    public static IHostApplicationBuilder AddAlertsCore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<AlertsOptions>().BindConfiguration(AlertsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AlertRepository>();
        builder.Services.AddSingleton<MailSender>();
        builder.Services.AddSingleton<UnsubscribeLinks>();
        return builder;
    }
}
