using System.Security.Cryptography;
using System.Text;

namespace LiveInsight.Core.Sites;

/// <summary>
/// Site ids and keys: random, URL-safe, prefixed so a leaked key says what it is (<c>pk_</c> may appear in page
/// source, <c>sk_</c> must never). Secret keys carry 256 random bits, so one unsalted SHA-256 is enough to store
/// them: there is nothing to brute-force that a slow hash would protect.
/// </summary>
public static class SiteKeys
{
    public const string PublicPrefix = "pk_";
    public const string SecretPrefix = "sk_";
    public const int SiteIdLength = 12;
    public const int PublicKeyLength = 3 + 24;
    public const int SecretKeyLength = 3 + BearerTokens.Length;
    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string NewSiteId() => RandomNumberGenerator.GetString(IdAlphabet, SiteIdLength);

    public static string NewPublicKey() => PublicPrefix + RandomToken(18);

    public static string NewSecretKey() => SecretPrefix + RandomToken(32);

    // Shape checks come before any cache or DynamoDB lookup: a string no generator can produce is refused for the
    // price of a length check, and every key that reaches a lookup is short enough for HybridCache (1,024 characters)
    // and DynamoDB (2,048 bytes of partition key).

    /// <summary>A site id <see cref="NewSiteId"/> could have made: 12 characters of its alphabet.</summary>
    public static bool IsWellFormedSiteId(string? siteId) =>
        siteId is { Length: SiteIdLength } && siteId.All(c => IdAlphabet.Contains(c, StringComparison.Ordinal));

    /// <summary>A public key <see cref="NewPublicKey"/> could have made: <c>pk_</c> + 24 url-safe characters.</summary>
    public static bool IsWellFormedPublicKey(string? key) => HasShape(key, PublicPrefix, PublicKeyLength);

    /// <summary>A secret key <see cref="NewSecretKey"/> could have made: <c>sk_</c> + 43 url-safe characters.</summary>
    public static bool IsWellFormedSecretKey(string? key) => HasShape(key, SecretPrefix, SecretKeyLength);

    /// <summary>A random UUID in Umami's form (lower case, hyphens): what Umami's tracker calls the website id.</summary>
    public static string NewUmamiWebsiteId() => Guid.NewGuid().ToString("D");

    /// <summary>The Umami website id of a site stored before sites had one: a name-based UUID (version 5 layout,
    /// SHA-256 instead of SHA-1) of the site id, so every replica finds the same id without writing it.</summary>
    public static string DerivedUmamiWebsiteId(string siteId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("liveinsight-umami:" + siteId), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString("D");
    }

    /// <summary>A UUID written as Umami writes it: 36 characters, lower-case hex and four hyphens.</summary>
    public static bool IsWellFormedUmamiWebsiteId(string? id) =>
        id is { Length: 36 } && Guid.TryParseExact(id, "D", out var parsed) && parsed.ToString("D") == id;

    public static string HashSecret(string secretKey) => BearerTokens.Hash(secretKey);

    /// <summary>Compares two secrets without leaking, through timing, how many leading characters matched.</summary>
    public static bool SecretEquals(string? presented, string expected)
    {
        if (presented is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    private static string RandomToken(int bytes) => BearerTokens.New(bytes);

    private static bool HasShape(string? key, string prefix, int length) =>
        key is not null && key.Length == length && key.StartsWith(prefix, StringComparison.Ordinal)
        && key.AsSpan(prefix.Length).ContainsAnyExcept(UrlSafe) is false;

    private static readonly System.Buffers.SearchValues<char> UrlSafe =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
