using System.Collections.Concurrent;
using System.Net;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>Invite and share-link tokens are credentials: no exported log record carries one, not in its message, body,
/// attributes or scopes (ASP.NET Core's request scope holds the path). The test reads what an OTLP exporter would be
/// handed: a processor added after the Dashboard's own, with every log level on.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class LogPrivacyTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Invite_and_share_tokens_appear_in_no_exported_log_record()
    {
        var site = await fixture.CreateSiteAsync("Logged", "logged.test");
        var (invite, _) = await fixture.DashboardServices.GetRequiredService<Users.InviteStore>()
            .CreateAsync(site.SiteId, "logged@example.com", Auth.SiteRole.Viewer, DashboardFixture.AdminEmail, CancellationToken.None);
        var (share, _, _) = await fixture.DashboardServices.GetRequiredService<LiveInsight.Dashboard.Sharing.ShareLinks>()
            .CreateAsync(site.SiteId, DashboardFixture.AdminEmail, CancellationToken.None);
        var exported = new CapturingProcessor();
        var (dashboard, client) = fixture.StartSecondDashboard(
            new()
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
            },
            services => services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(exported)));
        await using var running = dashboard;
        using var browser = client;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/invite/{invite}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/share/{share}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/SHARE/{share}/site")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/share/{share}/api/stats/summary?site_id={site.SiteId}&range=today")).StatusCode);

        // "Request finished" is logged after the response has gone out.
        for (var wait = 0; wait < 50 && !exported.Texts.Any(t => t.Contains("/share/{token}/api/stats/summary", StringComparison.Ordinal)); wait++)
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(exported.Texts, t => t.Contains(invite, StringComparison.Ordinal) || t.Contains(share, StringComparison.Ordinal));
        Assert.Contains(exported.Texts, t => t.Contains("/invite/{token}", StringComparison.Ordinal));
        Assert.Contains(exported.Texts, t => t.StartsWith("scope RequestPath=/share/{token}", StringComparison.Ordinal));
        Assert.Contains(exported.Texts, t => t.Contains("/share/{token}/api/stats/summary", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET /share/AbC-123_x/api/stats/summary?x=1", "GET /share/{token}/api/stats/summary?x=1")]
    [InlineData("http://host/invite/abcDEF123 done", "http://host/invite/{token} done")]
    [InlineData("/SHARE/abc", "/share/{token}")]
    [InlineData("/share/{token}/site", "/share/{token}/site")]
    [InlineData("/shared/abc", "/shared/abc")]
    [InlineData("key sk_0123456789abcdefABCDEF-_xyz leaked", "key sk_… leaked")]
    [InlineData("pk_0123456789abcdef is public", "pk_0123456789abcdef is public")]
    public void Token_paths_and_secret_keys_are_replaced_in_log_text(string text, string expected)
    {
        var options = new TracePrivacyOptions();
        options.TokenPathPrefixes.AddRange(["/invite", "/share"]);

        Assert.Equal(expected, LogPrivacy.Scrub(text, options));
    }

    /// <summary>Everything an exporter reads from a record, as text.</summary>
    private sealed class CapturingProcessor : BaseProcessor<LogRecord>
    {
        public ConcurrentQueue<string> Texts { get; } = new();

        public override void OnEnd(LogRecord data)
        {
            Texts.Enqueue("message " + data.FormattedMessage);
            Texts.Enqueue("body " + data.Body);
            foreach (var attribute in data.Attributes ?? [])
            {
                Texts.Enqueue($"attribute {attribute.Key}={attribute.Value}");
            }

            data.ForEachScope((scope, texts) =>
            {
                foreach (var value in scope)
                {
                    texts.Enqueue($"scope {value.Key}={value.Value}");
                }
            }, Texts);
        }
    }
}
