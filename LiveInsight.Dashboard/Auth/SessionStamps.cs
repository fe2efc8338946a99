using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Auth;

/// <summary>
/// Sessions that can be ended from the server. The session cookie is self-contained, so without this a stolen or
/// forgotten cookie would work for its whole 12 hours whatever happened to the account. Each user item carries a random
/// <c>session_stamp</c>; sign-in copies it into the cookie, and every request compares the two (the item's stamp is
/// cached for <see cref="DashboardSettings.SessionCheckSeconds"/> per replica). "Sign out everywhere" and a lockout put
/// a new stamp on the item, and a deleted item has none: every older cookie is then refused. People who sign in through
/// single sign-on and have no item (yet) have no stamp to change.
/// </summary>
public sealed class SessionStamps(IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage, IOptions<DashboardOptions> options, IMemoryCache cache)
{
    public const string ClaimType = "li_session_stamp";
    private const string Attribute = "session_stamp";

    private string TableName => storage.Value.TableName(Tables.Users);

    /// <summary>Cookie event: the cookie gets the account's current stamp (one is made for an item that has none).</summary>
    public static async Task OnSigningInAsync(CookieSigningInContext context)
    {
        if (context.Principal?.Identity is ClaimsIdentity { Name: { Length: > 0 } email } identity)
        {
            var stamps = context.HttpContext.RequestServices.GetRequiredService<SessionStamps>();
            identity.AddClaim(new Claim(ClaimType, await stamps.EnsureAsync(email, context.HttpContext.RequestAborted)));
            if (!identity.HasClaim(c => c.Type == SessionList.ClaimType))
            {
                // A new session (a re-issued cookie of the same session keeps its id): listed for its owner.
                var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionList>();
                var id = SessionList.NewId();
                if (await sessions.AddAsync(email, id, context.HttpContext.Request.Headers.UserAgent.ToString(), context.HttpContext.RequestAborted))
                {
                    identity.AddClaim(new Claim(SessionList.ClaimType, id));
                }
            }
        }
    }

    /// <summary>Cookie event, every request: a cookie whose stamp is no longer the account's is refused and removed.</summary>
    public static async Task OnValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal?.Identity?.Name is not { Length: > 0 } email)
        {
            return;
        }

        var stamps = context.HttpContext.RequestServices.GetRequiredService<SessionStamps>();
        var presented = context.Principal.FindFirstValue(ClaimType) ?? "";
        var current = await stamps.CurrentAsync(email, context.HttpContext.RequestAborted);
        var interval = TimeSpan.FromSeconds(Math.Max(0, context.HttpContext.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value.Dashboard.SessionCheckSeconds));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(current))
            || (SessionList.IdOf(context.Principal) is { } sessionId
                && !await context.HttpContext.RequestServices.GetRequiredService<SessionList>().IsLiveAsync(email, sessionId, interval, context.HttpContext.RequestAborted)))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    /// <summary>The item's stamp, or "" when there is no item (a single sign-on person nobody has added).</summary>
    public async Task<string> CurrentAsync(string email, CancellationToken cancellationToken)
    {
        var key = CacheKey(email);
        if (cache.TryGetValue(key, out string? cached) && cached is not null)
        {
            return cached;
        }

        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = Key(email),
            ProjectionExpression = Attribute,
            ConsistentRead = true,
        }, cancellationToken);
        var stamp = response.Item is { } item && item.TryGetValue(Attribute, out var value) ? value.S ?? "" : "";
        var interval = TimeSpan.FromSeconds(Math.Max(0, options.Value.Dashboard.SessionCheckSeconds));
        if (interval > TimeSpan.Zero)
        {
            cache.Set(key, stamp, interval);
        }

        return stamp;
    }

    /// <summary>Ends every session of the account: the next check on any replica refuses their cookies.</summary>
    public async Task RevokeAsync(string email, CancellationToken cancellationToken)
    {
        await SetAsync(email, "SET " + Attribute + " = :stamp", cancellationToken);
        cache.Remove(CacheKey(email));
    }

    /// <summary>The expression that puts a new stamp on the item, for a caller that changes the item in the same update.</summary>
    public static (string Set, AttributeValue Value) NewStampUpdate() => (Attribute + " = :stamp", new AttributeValue { S = NewStamp() });

    private async Task<string> EnsureAsync(string email, CancellationToken cancellationToken) =>
        await SetAsync(email, "SET " + Attribute + " = if_not_exists(" + Attribute + ", :stamp)", cancellationToken) ?? "";

    /// <returns>The stamp now on the item, or null when there is no item.</returns>
    private async Task<string?> SetAsync(string email, string update, CancellationToken cancellationToken)
    {
        try
        {
            var response = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = update,
                ConditionExpression = "attribute_exists(email)",
                ExpressionAttributeValues = new() { [":stamp"] = new() { S = NewStamp() } },
                ReturnValues = ReturnValue.UPDATED_NEW,
            }, cancellationToken);
            return response.Attributes[Attribute].S;
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    private static string NewStamp() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));

    private static Dictionary<string, AttributeValue> Key(string email) => new() { ["email"] = new() { S = DashboardUser.NormaliseEmail(email) } };

    private static string CacheKey(string email) => "session-stamp:" + DashboardUser.NormaliseEmail(email);
}
