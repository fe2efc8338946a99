using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace LiveInsight.Api.Tracker;

/// <summary>One encoding of the tracker: its bytes, its <c>Content-Encoding</c> (null for identity) and its strong ETag.</summary>
public sealed record TrackerVariant(byte[] Body, string? Encoding, string ETag);

/// <summary>
/// The built tracker (<c>tracker/liveinsight.js</c> plus the pre-compressed <c>.br</c> and <c>.gz</c> the build writes),
/// loaded once at start. Each encoding is its own representation, so each has its own strong ETag, all derived from one
/// hash of the script: a new build changes every tag.
/// </summary>
public sealed class TrackerScript
{
    public const string FileName = "liveinsight.js";

    private readonly string _version;

    public TrackerScript(byte[] identity, byte[] gzip, byte[] brotli)
    {
        _version = Convert.ToHexStringLower(SHA256.HashData(identity))[..20];
        Identity = new(identity, null, $"\"{_version}\"");
        Gzip = new(gzip, "gzip", $"\"{_version}-gz\"");
        Brotli = new(brotli, "br", $"\"{_version}-br\"");
    }

    public TrackerVariant Identity { get; }
    public TrackerVariant Gzip { get; }
    public TrackerVariant Brotli { get; }

    public static TrackerScript Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The tracker was not built ({path} is missing): build LiveInsight.Api with node and 'npm ci' done.", path);
        }

        return new TrackerScript(File.ReadAllBytes(path), File.ReadAllBytes(path + ".gz"), File.ReadAllBytes(path + ".br"));
    }

    /// <summary>Brotli, else gzip, else identity, by the client's <c>Accept-Encoding</c> (q=0 refuses a coding).</summary>
    public TrackerVariant Select(StringValues acceptEncoding)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var codings))
        {
            return Identity;
        }

        bool Accepts(string coding) => codings.Any(c =>
            (c.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || c.Value == "*") && (c.Quality ?? 1) > 0);

        return Accepts("br") ? Brotli : Accepts("gzip") ? Gzip : Identity;
    }

    /// <summary>True when <c>If-None-Match</c> names this build (any encoding's tag, weak or strong, or <c>*</c>).</summary>
    public bool IsCurrent(StringValues ifNoneMatch) =>
        EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
        && tags.Any(t => t.Tag == "*" || t.Tag.AsSpan().Trim('"').StartsWith(_version, StringComparison.Ordinal));
}
