using LiveInsight.Core.Audit;
using LiveInsight.Core.Storage;
using LiveInsight.Core.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Tests.Audit;

[Collection(nameof(DynaliteCollection))]
public sealed class AuditLogTests(DynaliteFixture fixture)
{
    private async Task<AuditLog> NewLogAsync(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo)
    {
        var options = Options.Create(new StorageOptions { TablePrefix = $"a{Guid.NewGuid():N}"[..12] + "-" });
        await new SchemaBootstrapper(dynamo, options, TimeProvider.System, NullLogger<SchemaBootstrapper>.Instance).EnsureAsync(CancellationToken.None);
        return new AuditLog(dynamo, options);
    }

    [Fact]
    public async Task Lists_a_sites_entries_newest_first_and_only_that_sites()
    {
        using var dynamo = fixture.CreateClient();
        var log = await NewLogAsync(dynamo);
        var at = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

        await log.WriteAsync(new AuditEntry("site-a", at, "ann@example.com", AuditActions.SiteUpdate, null, "name: A → B", "203.0.113.0"), CancellationToken.None);
        // Same millisecond: both must stay (random sort-key suffix).
        await log.WriteAsync(new AuditEntry("site-a", at, "ann@example.com", AuditActions.SiteRotateKeys, null, null, "203.0.113.0"), CancellationToken.None);
        await log.WriteAsync(new AuditEntry("site-a", at.AddMinutes(1), "bob@example.com", AuditActions.MemberRole, "eve@example.com", "viewer → admin", "2001:db8:abcd::"), CancellationToken.None);
        await log.WriteAsync(new AuditEntry("site-b", at.AddMinutes(2), "bob@example.com", AuditActions.SiteUpdate, null, null, "unknown"), CancellationToken.None);

        var entries = await log.ListAsync("site-a", 50, CancellationToken.None);

        Assert.Equal(3, entries.Count);
        Assert.All(entries, e => Assert.Equal("site-a", e.SiteId));
        var newest = entries[0];
        Assert.Equal((at.AddMinutes(1), "bob@example.com", AuditActions.MemberRole, "eve@example.com", "viewer → admin", "2001:db8:abcd::"),
            (newest.At, newest.Actor, newest.Action, newest.Target, newest.Details, newest.MaskedIp));
        Assert.Equal([AuditActions.SiteRotateKeys, AuditActions.SiteUpdate], entries.Skip(1).Select(e => e.Action).Order());
        Assert.Single(await log.ListAsync("site-a", 1, CancellationToken.None));
    }

    [Fact]
    public async Task Caps_free_text_so_no_caller_can_grow_an_item()
    {
        using var dynamo = fixture.CreateClient();
        var log = await NewLogAsync(dynamo);

        await log.WriteAsync(new AuditEntry("site-a", DateTimeOffset.UtcNow, new string('a', 5000), AuditActions.SiteUpdate, new string('t', 5000), new string('d', 5000), "unknown"), CancellationToken.None);

        var entry = Assert.Single(await log.ListAsync("site-a", 10, CancellationToken.None));
        Assert.Equal(AuditLog.MaxFieldLength, entry.Actor.Length);
        Assert.Equal(AuditLog.MaxFieldLength, entry.Target!.Length);
        Assert.Equal(AuditLog.MaxFieldLength, entry.Details!.Length);
    }
}
