using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Alerts;

/// <summary>
/// One-click unsubscribe without login: the token names the site and the address and carries an HMAC-SHA256 of both
/// under <see cref="AlertsOptions.SigningKey"/>, so nobody can unsubscribe an address they did not receive a mail for.
/// Shape: <c>base64url("v1\n{site}\n{email}") "." base64url(mac)</c>.
/// </summary>
public sealed class UnsubscribeLinks(IOptions<AlertsOptions> options)
{
    public const string Path = "/api/unsubscribe";
    public const int MaxTokenLength = 1024;

    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.SigningKey is { Length: > 0 } key ? key : Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    public string Url(string siteId, string email) =>
        $"{options.Value.PublicApiUrl.TrimEnd('/')}{Path}?token={Token(siteId, email)}";

    public string Token(string siteId, string email)
    {
        var payload = Encoding.UTF8.GetBytes($"v1\n{siteId}\n{email}");
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(_key, payload))}";
    }

    /// <summary>The site and address a genuine token names; null for anything else.</summary>
    public (string SiteId, string Email)? Verify(string? token)
    {
        if (token is not { Length: > 0 and <= MaxTokenLength } || token.Split('.') is not [var payloadPart, var macPart])
        {
            return null;
        }

        try
        {
            var payload = FromBase64Url(payloadPart);
            if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), FromBase64Url(macPart)))
            {
                return null;
            }

            return Encoding.UTF8.GetString(payload).Split('\n') is ["v1", var site, var email] ? (site, email) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
