using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;

namespace LiveInsight.Core.Lake;

/// <summary>One file of the lake: its key under the lake's root ('/'-separated, e.g.
/// <c>events/site=abc/day=2026-11-30/compact.parquet</c>), size, a version tag (S3's ETag; locally size and write
/// time) and when it was last written.</summary>
public sealed record LakeObject(string Key, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>
/// Where the lake's files live: a local folder (<see cref="LocalLakeStore"/>, the embedded default) or an S3 bucket
/// (<see cref="S3LakeStore"/>, section <c>Lake:S3</c>). Writers make every file locally first (DuckDB writes files) and
/// hand it over with <see cref="PutAsync"/>, which replaces a file of the same key whole (a rename locally, one PUT in
/// S3): a reader sees the old file or the new one, never a part of either.
/// </summary>
public interface ILakeStore
{
    /// <summary>The folder DuckDB can read the files in place, or null when they must be fetched (S3).</summary>
    string? LocalRoot { get; }

    /// <summary>What a log line says about where the lake is (a folder, or <c>s3://bucket/prefix</c>).</summary>
    string Location { get; }

    /// <summary>Every file whose key starts with <paramref name="prefix"/>.</summary>
    Task<IReadOnlyList<LakeObject>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Puts <paramref name="localFile"/> (complete, written by the caller) at <paramref name="key"/>, replacing
    /// what was there; the local file is consumed (moved or deleted).</summary>
    Task PutAsync(string localFile, string key, CancellationToken cancellationToken);

    /// <summary>Copies the file at <paramref name="key"/> to <paramref name="localFile"/>; false when there is none.</summary>
    Task<bool> GetAsync(string key, string localFile, CancellationToken cancellationToken);

    Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}

/// <summary><c>Lake:S3</c>: with a <see cref="Bucket"/>, the lake lives in S3 and <c>Lake:Path</c> is only a local
/// working folder (the writer's temp files, the compactor's inputs, the Api's cache).</summary>
public sealed class LakeS3Options
{
    public const string SectionName = "Lake:S3";

    public string? Bucket { get; set; }

    /// <summary>Keys start with this (e.g. <c>lake/</c>); empty for the bucket's root.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>An S3-compatible endpoint (s3rver in tests and locally); empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket's region in AWS (default: the SDK's, from the task's environment).</summary>
    public string? Region { get; set; }

    /// <summary>Static keys for an S3-compatible endpoint (s3rver accepts S3RVER/S3RVER); in AWS the task role's
    /// credentials are used and these stay empty.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(Bucket);
}

public static class LakeStores
{
    /// <summary>The store the configuration names: S3 when <c>Lake:S3:Bucket</c> is set, else the folder
    /// <paramref name="localRoot"/>.</summary>
    public static ILakeStore Create(IConfiguration configuration, string localRoot)
    {
        var s3 = configuration.GetSection(LakeS3Options.SectionName).Get<LakeS3Options>() ?? new LakeS3Options();
        return s3.Configured ? new S3LakeStore(CreateClient(s3), s3.Bucket!, s3.Prefix) : new LocalLakeStore(localRoot);
    }

    public static IAmazonS3 CreateClient(LakeS3Options options)
    {
        // Checksums only where S3 requires them: the SDK's default (aws-chunked bodies with a trailing checksum) is not
        // understood by S3-compatible servers such as s3rver, which would store the chunk framing as the object.
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 3,
            Timeout = TimeSpan.FromSeconds(60),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        return !string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey ?? ""), config)
            : new AmazonS3Client(config);
    }

    /// <summary>A key's last segment (the file name).</summary>
    public static string FileName(string key) => key[(key.LastIndexOf('/') + 1)..];
}

/// <summary>The lake as a folder: keys are paths under <see cref="LocalRoot"/>; a put is an fsync and a rename (the
/// temp file must be on the same file system, which <c>{root}/_tmp</c> is).</summary>
public sealed class LocalLakeStore(string root) : ILakeStore
{
    /// <summary>Working files (temp copies, spill) live here, outside <c>events/</c>, so no listing sees them.</summary>
    public const string TempFolder = "_tmp";

    public string? LocalRoot { get; } = Path.GetFullPath(root);

    public string Location => LocalRoot!;

    public string PathOf(string key) => Path.Combine(LocalRoot!, key.Replace('/', Path.DirectorySeparatorChar));

    public Task<IReadOnlyList<LakeObject>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        // The prefix names a folder (or a folder and the start of a name): list from the deepest folder it names.
        var cut = prefix.LastIndexOf('/');
        var folder = PathOf(cut < 0 ? "" : prefix[..cut]);
        IReadOnlyList<LakeObject> found = !Directory.Exists(folder)
            ? []
            : Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(path => (Path: path, Key: Path.GetRelativePath(LocalRoot!, path).Replace(Path.DirectorySeparatorChar, '/')))
                .Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal) && !f.Key.StartsWith(TempFolder + "/", StringComparison.Ordinal))
                .Select(f => new FileInfo(f.Path) is var info && info.Exists
                    ? new LakeObject(f.Key, info.Length, $"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}", info.LastWriteTimeUtc)
                    : null)
                .OfType<LakeObject>()
                .OrderBy(o => o.Key, StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(found);
    }

    public Task PutAsync(string localFile, string key, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        using (var written = new FileStream(localFile, FileMode.Open, FileAccess.ReadWrite))
        {
            written.Flush(flushToDisk: true);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(localFile, target, overwrite: true);
        return Task.CompletedTask;
    }

    public Task<bool> GetAsync(string key, string localFile, CancellationToken cancellationToken)
    {
        var source = PathOf(key);
        if (!File.Exists(source))
        {
            return Task.FromResult(false);
        }

        File.Copy(source, localFile, overwrite: true);
        return Task.FromResult(true);
    }

    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            var path = PathOf(key);
            File.Delete(path);
            // Empty folders go too (a deleted site or day leaves no site=…/day=… folder behind), up to the table's.
            for (var folder = Path.GetDirectoryName(path); folder is not null && folder.Length > LocalRoot!.Length
                 && Path.GetFileName(folder) != LakeLayout.EventsTable && Directory.Exists(folder)
                 && !Directory.EnumerateFileSystemEntries(folder).Any(); folder = Path.GetDirectoryName(folder))
            {
                try
                {
                    Directory.Delete(folder);
                }
                catch (IOException)
                {
                    break; // a writer put a file there meanwhile
                }
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>The lake in an S3 bucket under a key prefix. A PUT replaces an object whole, so a retried batch with the
/// same deterministic key overwrites its first attempt (never adds a copy), and a reader gets one version or the other.</summary>
public sealed class S3LakeStore(IAmazonS3 s3, string bucket, string prefix) : ILakeStore, IDisposable
{
    private readonly string _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";

    public string? LocalRoot => null;

    public string Location => $"s3://{bucket}/{_prefix}";

    public IAmazonS3 Client => s3;

    public async Task<IReadOnlyList<LakeObject>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var found = new List<LakeObject>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = _prefix + prefix };
        do
        {
            var page = await s3.ListObjectsV2Async(request, cancellationToken);
            foreach (var o in page.S3Objects ?? [])
            {
                found.Add(new LakeObject(o.Key[_prefix.Length..], o.Size ?? 0, o.ETag?.Trim('"') ?? "",
                    o.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue));
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (!string.IsNullOrEmpty(request.ContinuationToken));

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return found;
    }

    public async Task PutAsync(string localFile, string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = _prefix + key, FilePath = localFile, UseChunkEncoding = false },
                cancellationToken);
            // Tagged part or compact: the bucket's lifecycle rules expire each kind after its own time. A separate call
            // (S3-compatible servers ignore a PUT's x-amz-tagging header); if it fails the caller's retry puts again.
            await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
            {
                BucketName = bucket,
                Key = _prefix + key,
                Tagging = new Tagging { TagSet = [new Tag { Key = LakeLayout.FileKindTag, Value = LakeLayout.FileKind(LakeStores.FileName(key)) }] },
            }, cancellationToken);
        }
        finally
        {
            File.Delete(localFile);
        }
    }

    public async Task<bool> GetAsync(string key, string localFile, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s3.GetObjectAsync(bucket, _prefix + key, cancellationToken);
            var temp = localFile + ".download";
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                await response.ResponseStream.CopyToAsync(file, cancellationToken);
            }

            File.Move(temp, localFile, overwrite: true);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Chunk(1000))
        {
            await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = bucket,
                Objects = chunk.Select(k => new KeyVersion { Key = _prefix + k }).ToList(),
            }, cancellationToken);
        }
    }

    public void Dispose() => s3.Dispose();
}
