using System.Text;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Events;
using LiveInsight.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>
/// Old visitor-id salts leave Redis and its append-only file, against a redis-server of its own with AOF on (the
/// shared one runs without persistence).
/// </summary>
public sealed class SaltRetirementTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2031, 5, 1);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("li-aof-");
    private readonly ExternalProcess _server;
    private ConnectionMultiplexer? _redis;

    public SaltRetirementTests() => _server = new("redis-server", "redis-server", port =>
        ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always",
         "--dir", _dir.FullName]);

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_server.Port},allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        await (_redis?.DisposeAsync() ?? ValueTask.CompletedTask);
        await _server.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Making_a_new_days_salt_deletes_the_older_salts_and_rewrites_the_append_only_file_without_them()
    {
        var db = _redis!.GetDatabase();
        var clock = new FakeTimeProvider(Day.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc));
        var firstReplica = new DailySalts(_redis, clock);
        var first = await firstReplica.CurrentAsync();
        await firstReplica.Retirement;
        // A salt that outlived its day, e.g. set by a replica whose clock was off.
        var stray = Encoding.ASCII.GetBytes("stray-salt-bytes");
        await db.StringSetAsync(RedisKeys.Salt(Day.AddDays(-2)), stray, TimeSpan.FromDays(30));
        Assert.True(AppendOnlyFilesContain(first[Day]) && AppendOnlyFilesContain(stray), "the salts were never written to the AOF");

        clock.Advance(TimeSpan.FromDays(2));
        var replica = new DailySalts(_redis, clock);
        var current = await replica.CurrentAsync();
        await replica.Retirement;
        await WaitUntilAsync(() => !AppendOnlyFilesContain(first[Day]) && !AppendOnlyFilesContain(stray));

        Assert.False(AppendOnlyFilesContain(first[Day]), "the deleted salt is still in the append-only file");
        Assert.False(AppendOnlyFilesContain(stray), "the stray salt is still in the append-only file");
        Assert.False(await db.KeyExistsAsync(RedisKeys.Salt(Day)));
        Assert.False(await db.KeyExistsAsync(RedisKeys.Salt(Day.AddDays(-2))));
        Assert.True(await db.KeyExistsAsync(RedisKeys.Salt(Day.AddDays(1))));
        Assert.True(await db.KeyExistsAsync(RedisKeys.Salt(Day.AddDays(2))));
        Assert.True(AppendOnlyFilesContain(current[Day.AddDays(2)]), "today's salt must survive the rewrite");
    }

    [Fact]
    public async Task Reading_salts_that_already_exist_retires_nothing()
    {
        var clock = new FakeTimeProvider(Day.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc));
        var first = new DailySalts(_redis!, clock);
        await first.CurrentAsync();
        await first.Retirement;
        var stray = Encoding.ASCII.GetBytes("stray-salt-bytes");
        await _redis!.GetDatabase().StringSetAsync(RedisKeys.Salt(Day.AddDays(-2)), stray, TimeSpan.FromDays(30));

        var second = new DailySalts(_redis, clock);
        await second.CurrentAsync();
        await second.Retirement;

        Assert.True(await _redis.GetDatabase().KeyExistsAsync(RedisKeys.Salt(Day.AddDays(-2))));
    }

    [Fact]
    public async Task A_redis_without_an_append_only_file_is_not_made_to_write_one()
    {
        var dir = Directory.CreateTempSubdirectory("li-noaof-");
        await using var server = new ExternalProcess("redis-server", "redis-server", port =>
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.FullName]);
        await server.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        var clock = new FakeTimeProvider(Day.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc));
        var first = new DailySalts(redis, clock);
        await first.CurrentAsync();
        await first.Retirement;
        clock.Advance(TimeSpan.FromDays(2));

        var replica = new DailySalts(redis, clock);
        await replica.CurrentAsync();
        await replica.Retirement;
        var persistence = (await redis.GetServers()[0].InfoAsync("persistence")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);

        Assert.False(await redis.GetDatabase().KeyExistsAsync(RedisKeys.Salt(Day)));
        Assert.Equal(("0", "0"), (persistence["aof_rewrite_in_progress"], persistence["aof_rewrite_scheduled"]));
        Assert.Empty(dir.EnumerateFileSystemInfos());
        await server.StopAsync();
        dir.Delete(recursive: true);
    }

    // Every file Redis keeps in its directory, including a rewrite's temporary file (which may vanish while read).
    private bool AppendOnlyFilesContain(byte[] value) =>
        _dir.EnumerateFiles("*", SearchOption.AllDirectories).Any(f => ReadOrEmpty(f).AsSpan().IndexOf(value) >= 0);

    private static byte[] ReadOrEmpty(FileInfo file)
    {
        try
        {
            return File.ReadAllBytes(file.FullName);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    // Waits for Redis's background rewrite (and its removal of the old files); the bound only keeps a broken
    // rewrite from hanging the run.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition() && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
