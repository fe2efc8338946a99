using System.Text.Json;
using LiveInsight.Aggregator.Alerts;
using LiveInsight.Core.Alerts;
using LiveInsight.Testing;

namespace LiveInsight.Aggregator.Tests.Alerts;

/// <summary>
/// Spike, drop and goal rules against real rollups and realtime sets, a real SMTP server (maildev) and a real webhook
/// receiver, on a moved clock: each fires once per episode and resolves once.
/// </summary>
[Collection(nameof(DynaliteCollection))]
public sealed class AlertEpisodeTests(DynaliteFixture dynamo, MailboxFixture mail) : IClassFixture<MailboxFixture>
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_spike_fires_once_and_resolves_once_by_mail_and_signed_webhook()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        await using var hook = new HttpReceiver();
        var rule = await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with
        {
            VisitorsAbove = 3, Webhooks = [new Webhook(hook.Url(), WebhookFormats.Json)],
        });
        var evaluator = alerts.Evaluator();

        alerts.SetClock(10 * Minute);
        for (var i = 0; i < 5; i++)
        {
            await alerts.SeeVisitorAsync($"v{i}", alerts.World.Clock.GetUtcNow());
        }

        Assert.Equal(1, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(11 * Minute);
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None)); // still firing: no second message
        alerts.SetClock(17 * Minute); // the five visitors are now older than the five-minute window
        Assert.Equal(1, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(18 * Minute);
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));

        var mails = await alerts.Mailbox.WaitForAsync(alerts.Email, 2);
        Assert.Equal(2, mails.Count);
        Assert.StartsWith("Traffic spike on Test", mails[0].Subject);
        Assert.Contains("5 current visitors", mails[0].TextBody);
        Assert.StartsWith("Resolved: Traffic spike on Test", mails[1].Subject);
        Assert.All(mails, m => Assert.StartsWith("<http://api.test/api/unsubscribe?token=", m.Headers["List-Unsubscribe"]));
        Assert.All(mails, m => Assert.Equal("List-Unsubscribe=One-Click", m.Headers["List-Unsubscribe-Post"]));

        Assert.Equal(2, hook.Requests.Count);
        var bodies = hook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["firing", "resolved"], bodies.Select(b => b.GetProperty("state").GetString()));
        Assert.Equal(WebhookPayload.SchemaName, bodies[0].GetProperty("schema").GetString());
        Assert.Equal(bodies[0].GetProperty("id").GetString(), bodies[1].GetProperty("id").GetString());
        Assert.Equal(rule.Id, bodies[0].GetProperty("rule").GetProperty("id").GetString());
        Assert.Equal(5, bodies[0].GetProperty("value").GetDouble());
        foreach (var request in hook.Requests)
        {
            var expected = "sha256=" + WebhookSender.Sign("whsec_test", request.Headers[WebhookSender.TimestampHeader], request.Body);
            Assert.Equal(expected, request.Headers[WebhookSender.SignatureHeader]);
        }
    }

    [Fact]
    public async Task A_drop_fires_after_the_silence_in_an_hour_that_usually_has_traffic_and_resolves_when_events_return()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        var world = alerts.World;
        // The usual 10:00 hour: page views at the same hour on each of the last four weeks (real rollups).
        foreach (var week in AlertSignals.BaselineWeeks)
        {
            await world.IngestAsync(world.Event("page_view", $"b{week}", $"s{week}", TimeSpan.FromDays(-7 * week) + 5 * Minute, "/"));
        }

        await AggregatorWorld.DrainAsync(world.Get<Consumer.StreamConsumer>());
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Drop) with { SilentMinutes = 30 });
        var evaluator = alerts.Evaluator();

        await alerts.SeeVisitorAsync("v", AggregatorWorld.T0);
        alerts.SetClock(5 * Minute);
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(29 * Minute);
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(31 * Minute);
        Assert.Equal(1, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(35 * Minute);
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));
        await alerts.SeeVisitorAsync("w", AggregatorWorld.T0 + 36 * Minute);
        alerts.SetClock(37 * Minute);
        Assert.Equal(1, await evaluator.RunOnceAsync(CancellationToken.None));

        var mails = await alerts.Mailbox.WaitForAsync(alerts.Email, 2);
        Assert.Equal(["Traffic drop on Test (watch)", "Resolved: Traffic drop on Test (watch)"], mails.Select(m => m.Subject));
        Assert.Contains("No events for 31 minutes", mails[0].TextBody);
    }

    [Fact]
    public async Task A_drop_does_not_fire_in_an_hour_that_usually_has_no_traffic()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Drop) with { SilentMinutes = 30 });
        var evaluator = alerts.Evaluator();
        await alerts.SeeVisitorAsync("v", AggregatorWorld.T0);

        alerts.SetClock(50 * Minute);
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));
        Assert.Empty(await alerts.Mailbox.WaitForAsync(alerts.Email, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_goal_alert_fires_once_above_its_threshold_and_resolves_once_when_the_window_moves_on()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        var world = alerts.World;
        for (var i = 0; i < 3; i++)
        {
            await world.IngestAsync(world.Event("custom", $"v{i}", $"s{i}", TimeSpan.FromMinutes(i + 1), "/pricing", name: "Signup"));
        }

        await AggregatorWorld.DrainAsync(world.Get<Consumer.StreamConsumer>());
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Goal) with { Goal = "Signup", Direction = "above", Threshold = 2, WindowHours = 1 });
        var evaluator = alerts.Evaluator();

        alerts.SetClock(5 * Minute);
        Assert.Equal(1, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(6 * Minute);
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(TimeSpan.FromHours(1) + 5 * Minute); // the next hour: the window holds no signup
        Assert.Equal(1, await evaluator.RunOnceAsync(CancellationToken.None));

        var mails = await alerts.Mailbox.WaitForAsync(alerts.Email, 2);
        Assert.Equal(["Goal alert on Test (watch)", "Resolved: Goal alert on Test (watch)"], mails.Select(m => m.Subject));
        Assert.Contains("3 conversions of \"Signup\" in the last 1 h (alert above 2)", mails[0].TextBody);
    }
}
