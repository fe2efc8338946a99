using System.Text.Json.Serialization;
using LiveInsight.Core.Accounts;
using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Dashboard.Account;

/// <summary>
/// Personal API tokens of the signed-in user, for scripts that read the Api (and change sites, with the admin scope)
/// as that person rather than with a site's secret key. A token names the sites it may reach (a subset of the user's),
/// read or admin (admin only on sites the user administers), and an expiry of at most a year; it is shown once, and
/// only its hash is kept (<see cref="PersonalTokens"/>). The Api checks each use against the owner's roles of the moment.
/// </summary>
public static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/account/tokens").RequireAuthorization(Policies.Viewer).WithTags("Tokens");
        tokens.MapGet("", List).WithName("ListTokens").WithSummary("The signed-in user's personal API tokens (never the tokens themselves)");
        tokens.MapPost("", Create).WithName("CreateToken").AddEndpointFilter<CsrfFilter>()
            .WithSummary("A new personal API token, shown once in the answer");
        tokens.MapDelete("/{id}", Revoke).WithName("RevokeToken").AddEndpointFilter<CsrfFilter>()
            .WithSummary("Revoke one of the signed-in user's tokens (the Api refuses it within its cache time, 30 s)");
        return app;
    }

    public static async Task<Ok<TokenInfo[]>> List(HttpContext context, PersonalTokens tokens, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var list = await tokens.ListAsync(Owner(context), ct);
        return TypedResults.Ok(list.Select(t => TokenInfo.Of(t, now)).ToArray());
    }

    public static async Task<Results<Created<CreatedToken>, ValidationProblem, ProblemHttpResult>> Create(
        HttpContext context, NewTokenRequest request, PersonalTokens tokens, ISiteRoles roles, ApiSites sites, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? "";
        string? problem = null;
        if (name.Length is 0 or > PersonalTokens.MaxNameLength || name.Any(c => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Control
            or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Surrogate))
        {
            problem = $"Give the token a name of 1 to {PersonalTokens.MaxNameLength} characters (what the script is), without control or invisible characters.";
        }

        var scope = request.Scope switch { "read" => TokenScope.Read, "admin" => TokenScope.Admin, _ => (TokenScope)0 };
        if (scope == 0)
        {
            problem ??= "The scope is read or admin.";
        }

        if (request.ExpiresInDays is not (>= 1 and <= PersonalTokens.MaxLifetimeDays))
        {
            problem ??= $"expires_in_days is 1 to {PersonalTokens.MaxLifetimeDays} (a token lives at most a year).";
        }

        var siteIds = request.SiteIds?.Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (siteIds.Count is 0 or > PersonalTokens.MaxSites)
        {
            problem ??= $"Name 1 to {PersonalTokens.MaxSites} sites in site_ids.";
        }

        if (problem is not null)
        {
            return Invalid(problem);
        }

        foreach (var siteId in siteIds)
        {
            var role = await roles.RoleForAsync(context.User, siteId, ct);
            if (role is null || !await sites.ExistsAsync(siteId, ct))
            {
                return Invalid($"There is no site '{Shorten(siteId)}' that you can see.");
            }

            if (scope == TokenScope.Admin && role < SiteRole.Admin)
            {
                return Invalid($"An admin token needs you to be an admin of every site it names; you only view '{siteId}'.");
            }
        }

        var secret = PersonalTokens.NewToken();
        var now = time.GetUtcNow();
        var token = new PersonalToken(PersonalTokens.Hash(secret), Owner(context), name, scope, siteIds, now, now.AddDays(request.ExpiresInDays!.Value), null);
        if (!await tokens.CreateAsync(token, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No more tokens",
                detail: $"An account has at most {PersonalTokens.MaxPerUser} tokens (revoke one first), and accounts of single sign-on need an owner to add them first.");
        }

        await audit.WriteAsync(context, AuditLog.Installation, AuditActions.UserTokenCreate, token.Owner,
            $"{token.Id} ({PersonalTokens.ScopeName(scope)}, {siteIds.Count} site(s), expires {token.ExpiresAt:yyyy-MM-dd})");
        return TypedResults.Created($"/account/tokens/{token.Id}", new CreatedToken(secret, TokenInfo.Of(token, now)));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(HttpContext context, string id, PersonalTokens tokens, AuditTrail audit, CancellationToken ct)
    {
        if (id.Length != PersonalTokens.IdLength || !id.All(char.IsAsciiHexDigitLower)
            || await tokens.RevokeAsync(Owner(context), id, ct) is not { } revoked)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Token not found",
                detail: "You have no token with this id (ids are 16 lower-case hex characters, as the list shows them).");
        }

        await audit.WriteAsync(context, AuditLog.Installation, AuditActions.UserTokenRevoke, revoked.Owner, revoked.Id);
        return TypedResults.NoContent();
    }

    private static string Owner(HttpContext context) => DashboardUser.NormaliseEmail(AuditTrail.Actor(context));

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static ValidationProblem Invalid(string problem) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = [problem] });
}

public sealed record NewTokenRequest(string? Name, string? Scope, string[]? SiteIds, int? ExpiresInDays);

public sealed record TokenInfo(
    string Id, string Name, string Scope, IReadOnlyList<string> SiteIds, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? LastUsedAt, bool Expired)
{
    public static TokenInfo Of(PersonalToken token, DateTimeOffset now) => new(
        token.Id, token.Name, PersonalTokens.ScopeName(token.Scope), token.Sites, token.CreatedAt, token.ExpiresAt, token.LastUsedAt, now >= token.ExpiresAt);
}

/// <param name="Token">The token itself: in this answer only, never again.</param>
public sealed record CreatedToken(string Token, [property: JsonPropertyName("token_info")] TokenInfo Info);
