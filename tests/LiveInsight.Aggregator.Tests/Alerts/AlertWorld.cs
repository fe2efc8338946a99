using LiveInsight.Aggregator.Jobs;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Events;
using LiveInsight.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Tests.Alerts;

/// <summary>An <see cref="AggregatorWorld"/> whose hosts send mail to a real maildev and webhooks to a real receiver,
/// with alert evaluators on the world's fake clock.</summary>
public sealed class AlertWorld : IAsyncDisposable
{
    private AlertWorld(AggregatorWorld world, Mailbox mailbox)
    {
        World = world;
        Mailbox = mailbox;
    }

    public AggregatorWorld World { get; }

    public Mailbox Mailbox { get; }

    public string SiteId => World.SiteId;

    /// <summary>A fresh address per test, so tests sharing one maildev never see each other's mail.</summary>
    public string Email { get; } = $"owner-{Guid.NewGuid():N}@example.test";

    public static async Task<AlertWorld> CreateAsync(DynaliteFixture dynamo, Mailbox mailbox, int maxPerHour = 10, string timeZone = "UTC")
    {
        var settings = new Dictionary<string, string?>(mailbox.Settings)
        {
            ["Alerts:SigningKey"] = "test-signing-key-0123456789abcdef0123456789",
            ["Alerts:PublicApiUrl"] = "http://api.test",
            ["Alerts:DashboardUrl"] = "http://dashboard.test",
            ["Alerts:MaxMessagesPerSiteHour"] = maxPerHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:AllowPrivateWebhookTargets"] = "true",
            ["Alerts:WebhookFirstBackoffMs"] = "200",
            ["Alerts:WebhookAttempts"] = "4",
        };
        return new AlertWorld(await AggregatorWorld.CreateAsync(dynamo.ConnectionString, timeZone, settings: settings), mailbox);
    }

    /// <summary>An evaluator of <paramref name="host"/> (the first by default) that reads the world's fake clock.</summary>
    public AlertEvaluator Evaluator(IHost? host = null) =>
        ActivatorUtilities.CreateInstance<AlertEvaluator>(host?.Services ?? World.Get<IServiceProvider>(), (TimeProvider)World.Clock);

    public AlertRepository Alerts => World.Get<AlertRepository>();

    public async Task<AlertRule> AddRuleAsync(AlertRule rule)
    {
        Assert.True(await Alerts.CreateRuleAsync(rule, CancellationToken.None));
        return rule;
    }

    public AlertRule Rule(string kind) => new()
    {
        Id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]),
        SiteId = SiteId,
        Kind = kind,
        Name = "watch",
        Enabled = true,
        Emails = [Email],
        WebhookSecret = "whsec_test",
        CreatedAt = AggregatorWorld.T0,
    };

    /// <summary>What ingestion does to the realtime set for a visitor seen at <paramref name="at"/>.</summary>
    public Task SeeVisitorAsync(string visitor, DateTimeOffset at) =>
        World.Connection.GetDatabase().SortedSetAddAsync(RedisKeys.RealtimeVisitors(SiteId), visitor, at.ToUnixTimeMilliseconds());

    public void SetClock(TimeSpan afterT0) => World.Clock.SetUtcNow(AggregatorWorld.T0 + afterT0);

    public async ValueTask DisposeAsync() => await World.DisposeAsync();
}
