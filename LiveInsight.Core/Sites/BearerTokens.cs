using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace LiveInsight.Core.Sites;

/// <summary>
/// Random tokens that are credentials by themselves (secret keys, invite links, share links): URL-safe base64 of random
/// bytes, stored only as their SHA-256. A 256-bit random token has nothing to brute-force, so one unsalted hash is
/// enough to keep it, and the hash alone opens nothing.
/// </summary>
public static class BearerTokens
{
    /// <summary>256 random bits: 43 characters of unpadded base64url.</summary>
    public const int Bytes = 32;

    public const int Length = 43;

    public static string New(int bytes = Bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A token of <see cref="New"/>'s default shape; anything else is not worth a lookup.</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
