using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LiveInsight.Dashboard.Extensions;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Users;

/// <summary>
/// Short-lived signed tokens: <c>base64url(field \n … \n expiry) . base64url(HMAC-SHA256)</c>, one key per purpose,
/// derived (HKDF) from the installation's admin token, which every Dashboard replica already shares, so any replica
/// can check what another one issued, with no key store. Fields are not secret (the token is only signed); they must
/// not contain a line break. Rotating the admin token voids every token in flight.
/// </summary>
public sealed class SignedTokens(IOptions<DashboardOptions> options, TimeProvider time)
{
    /// <summary>Longer is not a token we made.</summary>
    public const int MaxLength = 800;

    public string Issue(string purpose, TimeSpan lifetime, params string[] fields)
    {
        var expires = (time.GetUtcNow() + lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes(string.Join('\n', [.. fields, expires]));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Key(purpose), payload));
    }

    /// <returns>The fields, or null when the token is malformed, forged, made for another purpose or expired.</returns>
    public string[]? Read(string purpose, string? token)
    {
        if (token is not { Length: > 0 and <= MaxLength } || token.Split('.') is not [var body, var mac]
            || !Base64Url.IsValid(body) || !Base64Url.IsValid(mac))
        {
            return null;
        }

        var payload = Base64Url.DecodeFromChars(body);
        if (!CryptographicOperations.FixedTimeEquals(Base64Url.DecodeFromChars(mac), HMACSHA256.HashData(Key(purpose), payload)))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        return long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && time.GetUtcNow().ToUnixTimeSeconds() < expires
            ? parts[..^1]
            : null;
    }

    private byte[] Key(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.AdminToken), 32,
        info: Encoding.UTF8.GetBytes("liveinsight " + purpose + " v1"));

    /// <summary>Names a password hash without revealing it (16 hex characters of its SHA-256): a token that carries it
    /// stops working when the password changes.</summary>
    public static string Fingerprint(string passwordHash) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)))[..16];
}
