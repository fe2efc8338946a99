using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using LiveInsight.Core.Privacy;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Sharing;

public sealed class TokenLookupOptions
{
    public const string SectionName = "LiveInsight:Dashboard:TokenLookups";

    /// <summary>Share and invite tokens per client network (masked address) per minute that reach DynamoDB.</summary>
    [Range(1, 1_000_000)]
    public int PerAddressPerMinute { get; set; } = 60;
}

/// <summary>
/// Limits, per client network (masked: /24 or /48), the share and invite tokens that cost a DynamoDB read: well-formed
/// ones missing from the cache. Tokens carry 256 random bits, so guessing one is hopeless anyway; this bounds what the
/// attempts cost. It counts per replica, in memory: the Dashboard has no Redis (only the Api does), and for a cost
/// bound N replicas allowing N times the limit is acceptable, where a new store dependency would not be.
/// </summary>
public sealed class TokenLookupLimiter : IDisposable
{
    private readonly ClientIpResolver _clientIps;
    private readonly PartitionedRateLimiter<string> _limiter;

    public TokenLookupLimiter(ClientIpResolver clientIps, IOptions<TokenLookupOptions> options)
    {
        _clientIps = clientIps;
        var limit = options.Value.PerAddressPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(network => RateLimitPartition.GetFixedWindowLimiter(network,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = Window, QueueLimit = 0 }));
    }

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Call right before a lookup that reaches DynamoDB; throws <see cref="TokenLookupLimitedException"/>
    /// once the requester's network has used up its lookups of the window. A request without an address is not limited.</summary>
    public void ThrowIfOverLimit(HttpContext requester)
    {
        var client = _clientIps.Resolve(requester.Connection.RemoteIpAddress, requester.Request.Headers["X-Forwarded-For"].ToString());
        if (client is null)
        {
            return;
        }

        using var lease = _limiter.AttemptAcquire(IpMasking.MaskedText(client));
        if (!lease.IsAcquired)
        {
            var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
            throw new TokenLookupLimitedException((int)Math.Ceiling(Math.Max(1, retry.TotalSeconds)));
        }
    }

    public void Dispose() => _limiter.Dispose();
}

public sealed class TokenLookupLimitedException(int retryAfterSeconds)
    : Exception("Too many links tried from this network; retry later.")
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>Turns <see cref="TokenLookupLimitedException"/> from a share or invite endpoint into 429 problem+json.</summary>
public sealed class TokenLookupLimitFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (TokenLookupLimitedException limited)
        {
            context.HttpContext.Response.Headers.RetryAfter = limited.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: limited.Message);
        }
    }
}
