namespace LiveInsight.Testing;

/// <summary>Factories for the two real stores the functional tests run against.</summary>
public static class Infrastructure
{
    /// <summary>In-memory redis-server (no RDB, no AOF): fast, and nothing left behind.</summary>
    public static ExternalProcess RedisServer() => new("redis-server", "redis-server", port =>
        ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);

    /// <summary>dynalite in memory, with table operations made instant.</summary>
    public static ExternalProcess Dynalite(int port = 0) => new("dynalite", "node", port =>
    [
        RepositoryPaths.DynaliteCli, "--host", "127.0.0.1", "--port", port.ToString(),
        "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
    ], port);
}

/// <summary>
/// A real S3-compatible server (npm <c>s3rver</c>, run by node as dynalite is) on a loopback port, its objects in a
/// temp folder removed on dispose; <see cref="Bucket"/> exists from the start. Clients sign with S3RVER/S3RVER.
/// </summary>
public sealed class S3rver : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    public S3rver(string bucket = "liveinsight-lake")
    {
        Bucket = bucket;
        Directory.CreateDirectory(DataDirectory);
        Process = new ExternalProcess("s3rver", "node", port =>
            [RepositoryPaths.S3rverCli, "-d", DataDirectory, "-a", "127.0.0.1", "-p", port.ToString(), "--silent", "--configure-bucket", bucket]);
    }

    public string Bucket { get; }

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"li-s3rver-{Guid.NewGuid():N}");

    public ExternalProcess Process { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Process.Port}";

    /// <summary>The <c>Lake:S3:*</c> settings that point a service at this server (keys under <paramref name="prefix"/>).</summary>
    public Dictionary<string, string?> LakeSettings(string prefix = "lake/") => new()
    {
        ["Lake:S3:Bucket"] = Bucket,
        ["Lake:S3:Prefix"] = prefix,
        ["Lake:S3:ServiceUrl"] = ServiceUrl,
        ["Lake:S3:AccessKey"] = AccessKey,
        ["Lake:S3:SecretKey"] = SecretKey,
    };

    public Task StartAsync() => Process.StartAsync();

    public Amazon.S3.IAmazonS3 CreateClient() => new Amazon.S3.AmazonS3Client(
        new Amazon.Runtime.BasicAWSCredentials(AccessKey, SecretKey),
        new Amazon.S3.AmazonS3Config
        {
            ServiceURL = ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        });

    /// <summary>Every key under <paramref name="prefix"/>, with the prefix cut off, in order.</summary>
    public async Task<List<string>> KeysAsync(string prefix = "lake/")
    {
        using var s3 = CreateClient();
        var keys = new List<string>();
        var request = new Amazon.S3.Model.ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        do
        {
            var page = await s3.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key[prefix.Length..]));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (!string.IsNullOrEmpty(request.ContinuationToken));

        return keys.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Uploads every file under <paramref name="localRoot"/> with its relative path as the key (after
    /// <paramref name="prefix"/>).</summary>
    public async Task UploadFolderAsync(string localRoot, string prefix = "lake/")
    {
        using var s3 = CreateClient();
        foreach (var file in Directory.EnumerateFiles(localRoot, "*", SearchOption.AllDirectories))
        {
            var key = prefix + Path.GetRelativePath(localRoot, file).Replace(Path.DirectorySeparatorChar, '/');
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = Bucket, Key = key, FilePath = file, UseChunkEncoding = false });
        }
    }

    /// <summary>Copies every object under <paramref name="prefix"/> into <paramref name="localRoot"/> (key = relative path).</summary>
    public async Task DownloadAsync(string localRoot, string prefix = "lake/")
    {
        using var s3 = CreateClient();
        foreach (var key in await KeysAsync(prefix))
        {
            var path = Path.Combine(localRoot, key.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var response = await s3.GetObjectAsync(Bucket, prefix + key);
            await using var file = File.Create(path);
            await response.ResponseStream.CopyToAsync(file);
        }
    }

    /// <summary>The value of one tag of an object (null when it has no such tag).</summary>
    public async Task<string?> TagAsync(string key, string tag)
    {
        using var s3 = CreateClient();
        var tags = await s3.GetObjectTaggingAsync(new Amazon.S3.Model.GetObjectTaggingRequest { BucketName = Bucket, Key = key });
        return tags.Tagging?.FirstOrDefault(t => t.Key == tag)?.Value;
    }

    public async Task DeleteAsync(string key)
    {
        using var s3 = CreateClient();
        await s3.DeleteObjectAsync(Bucket, key);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

/// <summary>One redis-server and one dynalite for a whole test collection; tests isolate by site id or table prefix.</summary>
public sealed class InfrastructureFixture : Xunit.IAsyncLifetime
{
    public ExternalProcess Redis { get; } = Infrastructure.RedisServer();

    public ExternalProcess Dynamo { get; } = Infrastructure.Dynalite();

    public string RedisConnectionString => $"127.0.0.1:{Redis.Port}";

    public string DynamoConnectionString => $"http://127.0.0.1:{Dynamo.Port}";

    public async Task InitializeAsync() => await Task.WhenAll(Redis.StartAsync(), Dynamo.StartAsync());

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Dynamo.DisposeAsync();
    }
}
