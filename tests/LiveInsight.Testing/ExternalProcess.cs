using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LiveInsight.Testing;

/// <summary>
/// A real server process (redis-server, dynalite) on a free loopback port. It can be stopped and started again on
/// the same port, which is how tests take Redis away from a running Api and bring it back.
/// </summary>
/// <remarks>A port chosen here (not fixed by the caller, or chosen by <paramref name="choosePort"/>) is chosen again
/// when the server cannot bind it: another test process may take a free port between the check and the bind.</remarks>
public sealed class ExternalProcess(
    string name, string fileName, Func<int, IEnumerable<string>> arguments, int port = 0, Func<int>? choosePort = null)
    : IAsyncDisposable
{
    private const int BindAttempts = 5;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Func<int>? _choosePort = port == 0 ? choosePort ?? FreePort : choosePort;
    private bool _started;
    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>The loopback port; 0 until started unless fixed up front.</summary>
    public int Port { get; private set; } = port;

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            if (Port == 0)
            {
                Port = _choosePort!();
            }

            try
            {
                await StartOnceAsync();
                _started = true;
                return;
            }
            catch (InvalidOperationException) when (!_started && _choosePort is not null && attempt < BindAttempts && PortWasTaken)
            {
                await StopAsync();
                lock (_output)
                {
                    _output.Clear();
                }

                Port = 0; // taken by someone else between the check and the bind: choose another
            }
        }
    }

    private bool PortWasTaken => Output.Contains("Address already in use", StringComparison.OrdinalIgnoreCase) ||
                                 Output.Contains("EADDRINUSE", StringComparison.Ordinal);

    private async Task StartOnceAsync()
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments(Port))
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Cannot start {name} ('{fileName}'): {e.Message}. './liveinsight test' installs it; see README.md.", e);
        }

        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync();
    }

    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {_process.ExitCode}: {Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{name} did not listen on port {Port} within {StartTimeout}: {Output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>
    /// A loopback port that is free now, from 10,000–19,999: below the kernel's ephemeral range (32,768 and up here),
    /// so the outgoing connections of the tests running beside this one cannot take it before its server binds it, and
    /// with room for a Redis Cluster bus port (+10,000) that is outside that range too. Each test process starts at a
    /// random point and walks on, so two processes rarely check the same port at the same time.
    /// </summary>
    public static int FreePort()
    {
        for (var i = 0; i < PortRange; i++)
        {
            var port = FirstPort + (int)((uint)Interlocked.Increment(ref _nextPort) % PortRange);
            if (IsFree(port) && Reserve(port))
            {
                return port;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether <paramref name="port"/> can be bound on loopback now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Holds a lock file for <paramref name="port"/> for the rest of this process, so no other test process (they run
    /// side by side) is handed the same port between its check and its server's bind, which can be seconds for a fixture
    /// that picks its ports before it starts (a Kestrel bind once failed with "address already in use" that way).
    /// </summary>
    private static bool Reserve(int port)
    {
        try
        {
            Directory.CreateDirectory(ReservationDirectory);
            // FileShare.None takes an exclusive advisory lock on Unix: a second process's open fails until this one exits.
            var lockFile = new FileStream(Path.Combine(ReservationDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            Reservations.Add(lockFile);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static readonly string ReservationDirectory = Path.Combine(Path.GetTempPath(), "liveinsight-test-ports");
    private static readonly System.Collections.Concurrent.ConcurrentBag<FileStream> Reservations = [];
    private const int FirstPort = 10_000;
    private const int PortRange = 10_000;
    private static int _nextPort = Random.Shared.Next(PortRange);
}
