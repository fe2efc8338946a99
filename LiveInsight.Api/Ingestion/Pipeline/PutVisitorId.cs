using System.Security.Cryptography;
using System.Text;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// Cookieless visitor id: HMAC-SHA256 keyed with the daily salt of the event's UTC day over site id, client IP and
/// User-Agent, cut to 64 bits. The salt is deleted after two days, so nobody can link a visitor across days.
/// </summary>
public sealed class PutVisitorId : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        var day = DateOnly.FromDateTime(e.Timestamp.UtcDateTime);
        if (!request.Salts.TryGetValue(day, out var salt))
        {
            // Only today's and yesterday's salts exist; PutTimestamp keeps events inside that window.
            day = DateOnly.FromDateTime(request.ReceivedAt.UtcDateTime);
            salt = request.Salts[day];
        }

        if (request.LastVisitorId is not { } last || last.Day != day)
        {
            last = (day, Compute(salt, request.Site.SiteId, request.ClientIp?.ToString(), request.UserAgent));
            request.LastVisitorId = last;
        }

        e.VisitorId = last.VisitorId;
    }

    public static string Compute(byte[] salt, string siteId, string? ip, string? userAgent)
    {
        var input = Encoding.UTF8.GetBytes($"{siteId}\n{ip}\n{userAgent}");
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(salt, input, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
