using LiveInsight.Core.Alerts;
using LiveInsight.Dashboard.Users;

namespace LiveInsight.Dashboard.Extensions;

/// <summary>Password reset (signed links, account mail through the SMTP settings the Api and aggregator use) and
/// two-factor sign-in.</summary>
public static class AccountSecurityExtensions
{
    public static IServiceCollection AddAccountSecurity(this IServiceCollection services)
    {
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MailSender>();
        services.AddSingleton<SignedTokens>();
        services.AddSingleton<PasswordResetTokens>();
        services.AddSingleton<TwoFactorRepository>();
        services.AddSingleton<TwoFactorService>();
        services.AddSingleton<LiveInsight.Core.Accounts.PersonalTokens>();
        services.AddSingleton<AccountMail>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountMail>());
        return services;
    }
}
