
namespace LiveInsight.Dashboard.Auth;

/// <summary>
/// A read through the proxy can last as long as the user keeps the page open (the realtime stream never ends by
/// itself), so its permission is not only checked at the start: every <see cref="MembershipSiteRoles.CacheFor"/> the
/// user's role on the site is looked up again, and the answer is cut once it is gone or too low. The browser's
/// EventSource then reconnects and gets the 404 a non-member gets. Installation administrators keep every site.
/// </summary>
public static class RoleWatch
{
    /// <summary>Runs <paramref name="next"/> while the user keeps <paramref name="required"/> on the site.</summary>
    public static async Task WhileAllowedAsync(HttpContext context, string siteId, SiteRole required, Func<Task> next)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var watch = WatchAsync(context, siteId, required, ended.Token);
        try
        {
            await next();
        }
        finally
        {
            await ended.CancelAsync();
            await watch;
        }
    }

    private static async Task WatchAsync(HttpContext context, string siteId, SiteRole required, CancellationToken ended)
    {
        var services = context.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var roles = services.GetRequiredService<ISiteRoles>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RoleWatch));
        try
        {
            while (true)
            {
                await Task.Delay(MembershipSiteRoles.CacheFor, time, ended);
                if (await roles.RoleForAsync(context.User, siteId, ended) is not { } role || role < required)
                {
                    LogCut(logger, siteId);
                    context.Abort();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The answer ended.
        }
        catch (Exception e)
        {
            // Fail closed: a permission that cannot be checked again does not keep an answer running.
            LogCheckFailed(logger, e);
            context.Abort();
        }
    }

    private static void LogCut(ILogger logger, string siteId) =>
        logger.LogInformation("Ended an open answer for site {SiteId}: the user no longer has the role it needs", siteId);

    private static void LogCheckFailed(ILogger logger, Exception e) =>
        logger.LogWarning(e, "Could not re-check a user's site role; ending their open answer");
}
