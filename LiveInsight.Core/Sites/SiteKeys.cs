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
    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string NewSiteId() => RandomNumberGenerator.GetString(IdAlphabet, 12);

    public static string NewPublicKey() => PublicPrefix + RandomToken(18);

    public static string NewSecretKey() => SecretPrefix + RandomToken(32);

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
}
