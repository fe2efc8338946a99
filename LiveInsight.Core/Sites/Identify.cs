using System.Security.Cryptography;
using System.Text;

namespace LiveInsight.Core.Sites;

/// <summary>
/// What <c>liveinsight.identify(userId)</c> becomes once stored: HMAC-SHA256 of the user id under the site's identify
/// secret, cut to 128 bits and written as 32 lower-case hex characters. The clear id is never kept; without the secret
/// nobody (us included) can test a guessed id against the stored hashes, and replacing the secret unlinks every hash
/// stored before from the ids that come after. The ingestion (keeping the hash) and the erasure of one user's data
/// (finding it) both call <see cref="Hash"/>, so the two can never disagree on the form.
/// </summary>
public static class Identify
{
    /// <summary>Longest user id accepted (characters); a longer one is dropped, not cut, so two ids cannot collide.</summary>
    public const int MaxUserIdLength = 256;

    /// <summary>Random bytes of a site's identify secret (the HMAC key).</summary>
    public const int SecretBytes = 32;

    /// <summary>Characters of a hash: 128 bits in hex.</summary>
    public const int HashLength = 32;

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>The stored form of <paramref name="userId"/> for the site whose identify secret is <paramref name="secret"/>.</summary>
    public static string Hash(byte[] secret, string userId)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(userId);
        if (secret.Length == 0)
        {
            throw new ArgumentException("An identify secret cannot be empty.", nameof(secret));
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(userId), mac);
        return Convert.ToHexStringLower(mac[..(HashLength / 2)]);
    }

    /// <summary>A string <see cref="Hash"/> could have made: 32 lower-case hex characters.</summary>
    public static bool IsWellFormedHash(string? hash) =>
        hash is { Length: HashLength } && hash.AsSpan().ContainsAnyExcept(LowerHex) is false;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
}
