using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace LiveInsight.Testing;

/// <summary>
/// A real Redis Cluster on loopback: three primaries and one replica each (<c>redis-server --cluster-enabled yes</c>),
/// joined by <c>redis-cli --cluster create … --cluster-replicas 1 --cluster-yes</c>. A short node timeout makes a killed
/// primary's replica take over within a few seconds; not shorter than 3 s, because on a loaded 2-core machine a node
/// that merely stalls for a second was voted failed and replaced by its replica, and the writes the replica had not yet
/// received were lost (a test then saw counts go missing that no kill had touched: asynchronous replication, as on
/// ElastiCache, whose own default is 15 s). In memory (no RDB, no AOF), in a temporary folder of its own.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    public const int NodeTimeoutMs = 3000;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"li-cluster-{Guid.NewGuid():N}");
    private readonly List<ExternalProcess> _nodes = [];

    public IReadOnlyList<ExternalProcess> Nodes => _nodes;

    /// <summary>The primaries' endpoints, as a client is given them (it discovers the rest).</summary>
    public string ConnectionString => string.Join(",", _nodes.Take(3).Select(n => $"127.0.0.1:{n.Port}"));

    public static async Task<RedisCluster> StartAsync()
    {
        var cluster = new RedisCluster();
        Directory.CreateDirectory(cluster._dir);
        for (var i = 0; i < 6; i++)
        {
            cluster._nodes.Add(cluster.Node(ClusterPort()));
        }

        await Task.WhenAll(cluster._nodes.Select(n => n.StartAsync()));
        await RunAsync("redis-cli", ["--cluster", "create", .. cluster._nodes.Select(n => $"127.0.0.1:{n.Port}"),
            "--cluster-replicas", "1", "--cluster-yes"]);
        await cluster.WaitUntilAsync(async s => (await s.ExecuteAsync("CLUSTER", "INFO")).ToString().Contains("cluster_state:ok"),
            "the cluster to be ok on every node", all: true);
        return cluster;
    }

    private ExternalProcess Node(int port) => new($"redis-server (cluster node {port})", "redis-server", p =>
    [
        "--port", p.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--cluster-enabled", "yes", "--cluster-node-timeout", NodeTimeoutMs.ToString(),
        "--cluster-config-file", Path.Combine(_dir, $"nodes-{p}.conf"), "--dir", _dir,
    ], port, ClusterPort);

    /// <summary>The node that is primary for <paramref name="key"/>'s slot now.</summary>
    public async Task<ExternalProcess> PrimaryOfAsync(string key)
    {
        await using var any = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
        var endpoint = (IPEndPoint)any.GetDatabase().IdentifyEndpoint(key)!;
        return _nodes.Single(n => n.Port == endpoint.Port);
    }

    /// <summary>Waits until every replica of <paramref name="primary"/> has all it wrote (so killing it loses nothing
    /// that was acknowledged: replication is asynchronous, as on ElastiCache): each replica online and at the primary's
    /// replication offset (INFO replication). Not WAIT: it waits only for the calling connection's own writes, and a
    /// fresh connection has none, so it answered at once even while a replica of a just-made cluster was still in its
    /// first sync (a fresh-clone CI run then failed over to a replica without the data).</summary>
    public static async Task WaitForReplicasAsync(ExternalProcess primary)
    {
        await using var c = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{primary.Port},allowAdmin=true");
        var server = c.GetServer("127.0.0.1", primary.Port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var info = (await server.ExecuteAsync("INFO", "replication")).ToString();
            var offset = Regex.Match(info, @"master_repl_offset:(\d+)");
            var replicas = Regex.Matches(info, @"slave\d+:ip=[^,]*,port=\d+,state=(\w+),offset=(\d+)");
            if (offset.Success && replicas.Count > 0
                && replicas.All(r => r.Groups[1].Value == "online" && long.Parse(r.Groups[2].Value, CultureInfo.InvariantCulture) >= long.Parse(offset.Groups[1].Value, CultureInfo.InvariantCulture)))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no replica of 127.0.0.1:{primary.Port} caught up within 15 s: {info}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the cluster serves every slot again with <paramref name="gone"/> no longer a primary.</summary>
    public Task WaitForFailoverAsync(ExternalProcess gone) =>
        WaitUntilAsync(async s =>
        {
            var info = (await s.ExecuteAsync("CLUSTER", "INFO")).ToString();
            var nodes = (await s.ExecuteAsync("CLUSTER", "NODES")).ToString();
            return info.Contains("cluster_state:ok") && !nodes.Split('\n').Any(l => l.Contains($":{gone.Port}@") && l.Contains("master") && !l.Contains("fail"));
        }, $"a replica to replace 127.0.0.1:{gone.Port}", all: true);

    private async Task WaitUntilAsync(Func<IServer, Task<bool>> ready, string what, bool all)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var ok = true;
            foreach (var node in _nodes.Where(n => n.IsRunning))
            {
                try
                {
                    await using var c = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{node.Port},allowAdmin=true,connectTimeout=1000");
                    ok &= await ready(c.GetServer("127.0.0.1", node.Port));
                }
                catch (RedisException)
                {
                    ok = false;
                }

                if (!ok || !all)
                {
                    break;
                }
            }

            if (ok)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited 30 s for {what}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>A free loopback port whose cluster bus port (+10,000) is free too.</summary>
    private static int ClusterPort()
    {
        while (true)
        {
            var port = ExternalProcess.FreePort();
            if (port + 10000 <= 65535 && ExternalProcess.IsFree(port + 10000))
            {
                return port;
            }
        }
    }

    private static async Task RunAsync(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
