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
            // Only today's and yesterday's salts exist, and PutTimestamp keeps events between yesterday and 5 minutes
            // ahead: an event stamped just past UTC midnight by a client clock running ahead, received before it. Such an
            // event takes the receive time, so its id is of the UTC day it is counted on: an id never appears on two UTC
            // days, which a period's visitors (the day sums, Core/Lake/LakeDaySums) rely on.
            e.Timestamp = request.ReceivedAt;
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

    /// <summary>This thread's HMAC, keyed with the salt it was last used with: a day's salt is one array for the whole
    /// day (<see cref="DailySalts"/>), so the key is set up once per thread and day instead of once per request (the
    /// key setup was most of the cost of <see cref="HMACSHA256.HashData(byte[], byte[])"/> in the profile, issue 22).</summary>
    [ThreadStatic]
    private static (byte[] Salt, IncrementalHash Hmac)? _keyed;

    public static string Compute(byte[] salt, string siteId, string? ip, string? userAgent)
    {
        if (_keyed is not { } keyed || !ReferenceEquals(keyed.Salt, salt))
        {
            _keyed?.Hmac.Dispose();
            keyed = (salt, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, salt));
            _keyed = keyed;
        }

        // The same bytes as UTF-8 of "site \n ip \n user-agent", appended piece by piece.
        Append(keyed.Hmac, siteId);
        keyed.Hmac.AppendData("\n"u8);
        Append(keyed.Hmac, ip);
        keyed.Hmac.AppendData("\n"u8);
        Append(keyed.Hmac, userAgent);
        Span<byte> hash = stackalloc byte[32];
        keyed.Hmac.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    private static void Append(IncrementalHash hmac, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = length <= 1024 ? stackalloc byte[1024] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        try
        {
            hmac.AppendData(buffer[..Encoding.UTF8.GetBytes(text, buffer)]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
