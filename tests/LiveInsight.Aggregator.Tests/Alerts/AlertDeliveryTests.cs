using LiveInsight.Core.Alerts;
using LiveInsight.Testing;

namespace LiveInsight.Aggregator.Tests.Alerts;

/// <summary>How messages leave: once across replicas, retried with backoff and logged, held back by quiet hours and the
/// hourly limit, never to an unsubscribed address, and never with a site's or rule's markup.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class AlertDeliveryTests(DynaliteFixture dynamo, MailboxFixture mail) : IClassFixture<MailboxFixture>
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Two_aggregator_replicas_send_each_message_once()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        await using var hook = new HttpReceiver();
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 1, Webhooks = [new Webhook(hook.Url(), WebhookFormats.Slack)] });
        var second = await alerts.World.StartHostAsync("second");
        var replicas = new[] { alerts.Evaluator(), alerts.Evaluator(second) };

        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());
        await alerts.SeeVisitorAsync("b", alerts.World.Clock.GetUtcNow());
        for (var pass = 0; pass < 3; pass++)
        {
            // At the same moment (the lease lets one through) and then one after the other (the episode decides).
            await Task.WhenAll(replicas.Select(r => r.RunOnceAsync(CancellationToken.None)));
            foreach (var replica in replicas)
            {
                await replica.RunOnceAsync(CancellationToken.None);
            }
        }

        alerts.SetClock(10 * Minute);
        for (var pass = 0; pass < 3; pass++)
        {
            await Task.WhenAll(replicas.Select(r => r.RunOnceAsync(CancellationToken.None)));
            foreach (var replica in replicas)
            {
                await replica.RunOnceAsync(CancellationToken.None);
            }
        }

        var mails = await alerts.Mailbox.WaitForAsync(alerts.Email, 3, TimeSpan.FromSeconds(3));
        Assert.Equal(["Traffic spike on Test (watch)", "Resolved: Traffic spike on Test (watch)"], mails.Select(m => m.Subject));
        Assert.Equal(2, hook.Requests.Count);
        Assert.All(hook.Requests, r => Assert.StartsWith("{\"text\":", r.Body)); // Slack's shape
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_with_doubling_waits_and_every_attempt_is_logged()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        await using var hook = new HttpReceiver(500, 503);
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 1, Emails = [], Webhooks = [new Webhook(hook.Url(), WebhookFormats.Discord)] });
        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());
        await alerts.SeeVisitorAsync("b", alerts.World.Clock.GetUtcNow());

        Assert.Equal(1, await alerts.Evaluator().RunOnceAsync(CancellationToken.None));

        var requests = hook.Requests;
        Assert.Equal([500, 503, 200], requests.Select(r => r.AnsweredWith));
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body));
        Assert.All(requests, r => Assert.StartsWith("{\"content\":", r.Body)); // Discord's shape
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(190), "first wait: 200 ms");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromMilliseconds(390), "second wait doubled: 400 ms");

        var log = (await alerts.Alerts.ListDeliveriesAsync(alerts.SiteId, CancellationToken.None)).OrderBy(d => d.Attempt).ToList();
        Assert.Equal([(1, "retrying", 500), (2, "retrying", 503), (3, "sent", 200)], log.Select(d => (d.Attempt, d.Outcome, d.Status ?? 0)));
        Assert.All(log, d => Assert.Equal(hook.Url(), d.Target));
    }

    [Fact]
    public async Task A_webhook_that_never_answers_well_is_given_up_after_the_last_attempt()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        await using var hook = new HttpReceiver(500, 500, 500, 500, 500);
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 1, Emails = [], Webhooks = [new Webhook(hook.Url(), WebhookFormats.Json)] });
        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());
        await alerts.SeeVisitorAsync("b", alerts.World.Clock.GetUtcNow());

        await alerts.Evaluator().RunOnceAsync(CancellationToken.None);

        Assert.Equal(4, hook.Requests.Count);
        var log = await alerts.Alerts.ListDeliveriesAsync(alerts.SiteId, CancellationToken.None);
        Assert.Equal(["failed", "retrying", "retrying", "retrying"], log.OrderByDescending(d => d.Attempt).Select(d => d.Outcome));
    }

    [Fact]
    public async Task Quiet_hours_hold_messages_back_and_a_resolution_of_an_unannounced_alert_is_not_sent()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        // T0 is 10:00 UTC: quiet from 9 to 11.
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 1, QuietHours = new QuietHours(9, 11) });
        var evaluator = alerts.Evaluator();
        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());
        await alerts.SeeVisitorAsync("b", alerts.World.Clock.GetUtcNow());
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));
        alerts.SetClock(TimeSpan.FromHours(1) + Minute); // 11:01, no longer quiet, and the spike is over
        Assert.Equal(0, await evaluator.RunOnceAsync(CancellationToken.None));

        Assert.Empty(await alerts.Mailbox.WaitForAsync(alerts.Email, 1, TimeSpan.FromSeconds(1)));
        var log = await alerts.Alerts.ListDeliveriesAsync(alerts.SiteId, CancellationToken.None);
        Assert.Equal(DeliveryOutcomes.QuietHours, Assert.Single(log).Outcome);
    }

    [Fact]
    public async Task No_more_than_the_hourly_limit_of_messages_goes_out_for_a_site()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox, maxPerHour: 2);
        for (var i = 0; i < 3; i++)
        {
            await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 1, Name = $"rule {i}" });
        }

        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());
        await alerts.SeeVisitorAsync("b", alerts.World.Clock.GetUtcNow());
        Assert.Equal(2, await alerts.Evaluator().RunOnceAsync(CancellationToken.None));

        Assert.Equal(2, (await alerts.Mailbox.WaitForAsync(alerts.Email, 3, TimeSpan.FromSeconds(2))).Count);
        var log = await alerts.Alerts.ListDeliveriesAsync(alerts.SiteId, CancellationToken.None);
        Assert.Equal(1, log.Count(d => d.Outcome == DeliveryOutcomes.Throttled));
    }

    [Fact]
    public async Task An_unsubscribed_address_gets_no_alert_and_markup_in_names_arrives_as_text()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        var other = $"other-{Guid.NewGuid():N}@example.test";
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 1, Name = "<script>alert(1)</script>", Emails = [alerts.Email, other] });
        await alerts.Alerts.UnsubscribeAsync(alerts.SiteId, other.ToUpperInvariant(), CancellationToken.None);
        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());
        await alerts.SeeVisitorAsync("b", alerts.World.Clock.GetUtcNow());
        await alerts.Evaluator().RunOnceAsync(CancellationToken.None);

        var sent = Assert.Single(await alerts.Mailbox.WaitForAsync(alerts.Email, 1));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", sent.HtmlBody);
        Assert.DoesNotContain("<script>", sent.HtmlBody);
        Assert.Empty(await alerts.Mailbox.MessagesToAsync(other));
        var log = await alerts.Alerts.ListDeliveriesAsync(alerts.SiteId, CancellationToken.None);
        Assert.Contains(log, d => d.Target == other && d.Outcome == DeliveryOutcomes.Unsubscribed);
    }

    [Fact]
    public async Task A_webhook_to_a_loopback_address_is_refused_unless_private_targets_are_allowed()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        await using var hook = new HttpReceiver();
        var guarded = await alerts.World.StartHostAsync("guarded", settings: new Dictionary<string, string?>
        {
            ["Alerts:AllowPrivateWebhookTargets"] = "false", ["Alerts:WebhookAttempts"] = "1",
        });
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 0, Emails = [], Webhooks = [new Webhook(hook.Url(), WebhookFormats.Json)] });
        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());

        Assert.Equal(1, await alerts.Evaluator(guarded).RunOnceAsync(CancellationToken.None));

        Assert.Empty(hook.Requests);
        var failed = Assert.Single(await alerts.Alerts.ListDeliveriesAsync(alerts.SiteId, CancellationToken.None));
        Assert.Equal((DeliveryOutcomes.Failed, hook.Url()), (failed.Outcome, failed.Target));
        Assert.Contains("no public address", failed.Error);
    }

    [Fact]
    public async Task A_rule_that_is_off_sends_nothing()
    {
        await using var alerts = await AlertWorld.CreateAsync(dynamo, mail.Mailbox);
        await alerts.AddRuleAsync(alerts.Rule(AlertKinds.Spike) with { VisitorsAbove = 0, Enabled = false });
        alerts.SetClock(Minute);
        await alerts.SeeVisitorAsync("a", alerts.World.Clock.GetUtcNow());

        Assert.Equal(0, await alerts.Evaluator().RunOnceAsync(CancellationToken.None));
        Assert.Empty(await alerts.Mailbox.WaitForAsync(alerts.Email, 1, TimeSpan.FromSeconds(1)));
    }
}
