using System.Globalization;
using System.Security.Cryptography;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Audit;

/// <summary>One administrative action: who (an e-mail, or <see cref="AuditLog.AdminTokenActor"/>), what, on which
/// site, when, and from which address, masked (never the raw IP). Free text is capped so no caller can grow items.</summary>
/// <param name="Action">A dotted verb from <see cref="AuditActions"/>, e.g. <c>site.rotate_keys</c>.</param>
/// <param name="Target">What the action was about beyond the site, e.g. the e-mail of a member; may be null.</param>
/// <param name="Details">A short human-readable summary of what changed; never a secret.</param>
/// <param name="MaskedIp">From <see cref="Privacy.IpMasking.MaskedText"/>.</param>
public sealed record AuditEntry(
    string SiteId,
    DateTimeOffset At,
    string Actor,
    string Action,
    string? Target,
    string? Details,
    string MaskedIp);

/// <summary>The action names written to the audit log. Kept in one place so the dashboard can describe them.</summary>
public static class AuditActions
{
    public const string SiteCreate = "site.create";
    public const string SiteUpdate = "site.update";
    public const string SiteRotateKeys = "site.rotate_keys";
    public const string SiteRevokeRetiredKeys = "site.revoke_retired_keys";
    public const string SiteImport = "site.import";
    public const string SiteImportDelete = "site.import_delete";
    public const string MemberInvite = "member.invite";
    public const string MemberJoin = "member.join";
    public const string MemberRole = "member.role";
    public const string MemberRemove = "member.remove";
    public const string ShareCreate = "share.create";
    public const string ShareRevoke = "share.revoke";
    public const string UserCreate = "user.create";
    public const string UserPasswordReset = "user.password_reset";
    public const string UserTwoFactorEnable = "user.2fa_enable";
    public const string UserTwoFactorDisable = "user.2fa_disable";
    public const string UserTokenCreate = "user.token_create";
    public const string UserTokenRevoke = "user.token_revoke";
    public const string AlertCreate = "alert.create";
    public const string AlertUpdate = "alert.update";
    public const string AlertDelete = "alert.delete";
    public const string ReportCreate = "report.create";
    public const string ReportDelete = "report.delete";
    public const string GoalCreate = "goal.create";
    public const string GoalDelete = "goal.delete";
    public const string FunnelCreate = "funnel.create";
    public const string FunnelUpdate = "funnel.update";
    public const string FunnelDelete = "funnel.delete";
    public const string SiteDelete = "site.delete";
    public const string SiteDeleted = "site.deleted";
    public const string SiteErase = "site.erase";
    public const string SiteReset = "site.reset";
    public const string SiteRetention = "site.retention";
    public const string SiteExport = "site.export";
}

/// <summary>
/// The Audit table (see <see cref="Tables.Audit"/>). Writes are single PutItems with a random suffix in the sort key, so
/// two actions in the same millisecond both stay. Reads are one Query per site, newest first.
/// </summary>
public sealed class AuditLog(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    /// <summary>The partition of actions that concern the installation rather than one site (e.g. creating a user).</summary>
    public const string Installation = "_installation";

    /// <summary>The actor recorded when the admin token itself (not a dashboard user) made the call.</summary>
    public const string AdminTokenActor = "admin-token";

    /// <summary>The actor recorded when a site's secret key made the call (goals may be changed with it).</summary>
    public const string SecretKeyActor = "secret-key";

    public const int MaxFieldLength = 500;
    public const int MaxPage = 200;
    public static readonly TimeSpan Retention = TimeSpan.FromDays(400);

    private string TableName => options.Value.TableName(Tables.Audit);

    public async Task WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["site_id"] = new() { S = entry.SiteId },
            ["sk"] = new() { S = SortKey(entry.At) },
            ["at"] = new() { S = entry.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) },
            ["actor"] = new() { S = Cap(entry.Actor) },
            ["action"] = new() { S = Cap(entry.Action) },
            ["ip"] = new() { S = Cap(entry.MaskedIp) },
            ["expires_at"] = new() { N = (entry.At + Retention).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
        };
        if (!string.IsNullOrEmpty(entry.Target))
        {
            item["target"] = new() { S = Cap(entry.Target) };
        }

        if (!string.IsNullOrEmpty(entry.Details))
        {
            item["details"] = new() { S = Cap(entry.Details) };
        }

        await dynamo.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, cancellationToken);
    }

    /// <summary>The newest <paramref name="limit"/> entries of a site (or of <see cref="Installation"/>), newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string siteId, int limit, CancellationToken cancellationToken)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = TableName,
            KeyConditionExpression = "site_id = :site",
            ExpressionAttributeValues = new() { [":site"] = new AttributeValue { S = siteId } },
            ScanIndexForward = false,
            Limit = Math.Clamp(limit, 1, MaxPage),
        }, cancellationToken);
        return (response.Items ?? []).Select(FromItem).ToList();
    }

    private static string SortKey(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) + "#" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static string Cap(string value) => value.Length <= MaxFieldLength ? value : value[..MaxFieldLength];

    private static AuditEntry FromItem(Dictionary<string, AttributeValue> item) => new(
        item["site_id"].S,
        DateTimeOffset.Parse(item["at"].S, CultureInfo.InvariantCulture),
        item["actor"].S,
        item["action"].S,
        item.TryGetValue("target", out var target) ? target.S : null,
        item.TryGetValue("details", out var details) ? details.S : null,
        item["ip"].S);
}
