using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Auth;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Users;

/// <summary>The <c>sites</c> map of a user item: {site id: "owner" | "admin" | "viewer"}. Unknown values are ignored.</summary>
internal static class SitesMap
{
    public static IReadOnlyDictionary<string, SiteRole> FromItem(Dictionary<string, AttributeValue> item)
    {
        var roles = new Dictionary<string, SiteRole>(StringComparer.Ordinal);
        if (item.TryGetValue("sites", out var sites) && sites.M is { } map)
        {
            foreach (var (siteId, value) in map)
            {
                if (SiteRoleNames.TryParse(value.S, out var role))
                {
                    roles[siteId] = role;
                }
            }
        }

        return roles;
    }

    public static AttributeValue ToAttribute(IReadOnlyDictionary<string, SiteRole> sites) =>
        new() { M = sites.ToDictionary(p => p.Key, p => new AttributeValue { S = p.Value.Name() }) };
}

/// <summary>A member of a site as the members list shows it. Installation administrators appear as owners.</summary>
public sealed record SiteMember(string Email, SiteRole Role, bool IsInstallationAdmin);

/// <summary>
/// Per-site roles, kept on the user item as the map <c>sites</c>. A change is one UpdateItem on one key path, so two
/// owners changing different members (or different sites of one member) never overwrite each other. Listing a site's
/// members scans the Users table: it holds people, not events, so it stays small.
/// </summary>
public sealed class MembershipRepository(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    private string TableName => options.Value.TableName(Tables.Users);

    /// <summary>Items that are people: a local account (password hash) or a single sign-on person (#sso = the
    /// <see cref="UserRepository.SingleSignOnAttribute"/>). The setup marker, invites and share links are neither.</summary>
    private const string IsPerson = "(attribute_exists(password_hash) OR attribute_exists(#sso))";

    /// <summary>The person with this e-mail (local account or single sign-on), or null.</summary>
    public async Task<DashboardUser?> PersonAsync(string email, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = Key(email),
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item && (item.ContainsKey("password_hash") || item.ContainsKey(UserRepository.SingleSignOnAttribute))
            ? UserRepository.FromItem(item)
            : null;
    }

    /// <summary>The user's roles by site id; empty for an unknown e-mail.</summary>
    public async Task<IReadOnlyDictionary<string, SiteRole>> RolesOfAsync(string email, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = Key(email),
            ProjectionExpression = "sites",
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item ? SitesMap.FromItem(item) : new Dictionary<string, SiteRole>();
    }

    /// <summary>Gives an existing user a role on a site. Returns the role before (null: was not a member), or
    /// <paramref name="exists"/> false when there is no such user.</summary>
    public async Task<(bool Exists, SiteRole? Before)> SetAsync(string email, string siteId, SiteRole role, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var response = await dynamo.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = Key(email),
                    UpdateExpression = "SET sites.#site = :role",
                    ConditionExpression = IsPerson,
                    ExpressionAttributeNames = new() { ["#site"] = siteId, ["#sso"] = UserRepository.SingleSignOnAttribute },
                    ExpressionAttributeValues = new() { [":role"] = new() { S = role.Name() } },
                    ReturnValues = ReturnValue.UPDATED_OLD,
                }, cancellationToken);
                return (true, Before(response.Attributes, siteId));
            }
            catch (ConditionalCheckFailedException)
            {
                return (false, null);
            }
            catch (AmazonDynamoDBException e) when (e.ErrorCode == "ValidationException" && attempt == 0)
            {
                // The user has no map yet (a path into a missing map is invalid): create it with this one entry.
                if (await CreateMapAsync(email, siteId, role, cancellationToken))
                {
                    return (true, null);
                }
            }
        }
    }

    private async Task<bool> CreateMapAsync(string email, string siteId, SiteRole role, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = "SET sites = :sites",
                // Someone else may have created the map meanwhile: then the loop above sets the one entry.
                ConditionExpression = IsPerson + " AND attribute_not_exists(sites)",
                ExpressionAttributeNames = new() { ["#sso"] = UserRepository.SingleSignOnAttribute },
                ExpressionAttributeValues = new() { [":sites"] = SitesMap.ToAttribute(new Dictionary<string, SiteRole> { [siteId] = role }) },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Takes the user's role on the site away; returns what it was (null: was not a member).</summary>
    public async Task<SiteRole?> RemoveAsync(string email, string siteId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = "REMOVE sites.#site",
                ConditionExpression = "attribute_exists(sites.#site)",
                ExpressionAttributeNames = new() { ["#site"] = siteId },
                ReturnValues = ReturnValue.UPDATED_OLD,
            }, cancellationToken);
            return Before(response.Attributes, siteId);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    /// <summary>Everyone with a role on the site, installation administrators included (as owners), by e-mail.</summary>
    public async Task<IReadOnlyList<SiteMember>> MembersAsync(string siteId, CancellationToken cancellationToken)
    {
        var members = new List<SiteMember>();
        await foreach (var item in ScanAsync(
            IsPerson + " AND (attribute_exists(sites.#site) OR #role = :admin)",
            "email, #role, sites.#site",
            new() { ["#site"] = siteId, ["#role"] = "role", ["#sso"] = UserRepository.SingleSignOnAttribute },
            new() { [":admin"] = new() { S = Roles.Admin } },
            cancellationToken))
        {
            var admin = item.TryGetValue("role", out var role) && role.S == Roles.Admin;
            var siteRole = SitesMap.FromItem(item).GetValueOrDefault(siteId);
            members.Add(new SiteMember(item["email"].S, admin ? SiteRole.Owner : siteRole, admin));
        }

        return members.Where(m => m.Role != 0).OrderBy(m => m.Email, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every person: local accounts and single sign-on people (markers, invites and share links are neither).</summary>
    public async Task<IReadOnlyList<DashboardUser>> UsersAsync(CancellationToken cancellationToken)
    {
        var users = new List<DashboardUser>();
        await foreach (var item in ScanAsync(IsPerson, null, new() { ["#sso"] = UserRepository.SingleSignOnAttribute }, null, cancellationToken))
        {
            users.Add(UserRepository.FromItem(item));
        }

        return users.OrderBy(u => u.Email, StringComparer.Ordinal).ToList();
    }

    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> ScanAsync(
        string filter, string? projection, Dictionary<string, string>? names, Dictionary<string, AttributeValue>? values,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = TableName,
                FilterExpression = filter,
                ProjectionExpression = projection,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
                ExclusiveStartKey = start,
                ConsistentRead = true,
            }, cancellationToken);
            foreach (var item in response.Items ?? [])
            {
                yield return item;
            }

            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
    }

    private static SiteRole? Before(Dictionary<string, AttributeValue>? old, string siteId) =>
        old is not null && SitesMap.FromItem(old).TryGetValue(siteId, out var role) ? role : null;

    private static Dictionary<string, AttributeValue> Key(string email) =>
        new() { ["email"] = new AttributeValue { S = DashboardUser.NormaliseEmail(email) } };
}
