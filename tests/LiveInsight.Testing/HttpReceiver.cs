using System.Net;
using System.Text;

namespace LiveInsight.Testing;

/// <summary>One request a <see cref="HttpReceiver"/> got: when, its headers and body, and the status it was answered with.</summary>
public sealed record ReceivedRequest(DateTimeOffset At, string Path, IReadOnlyDictionary<string, string> Headers, string Body, int AnsweredWith);

/// <summary>
/// A real HTTP server on loopback (HttpListener) standing in for a webhook receiver: it records every request and
/// answers with <see cref="Statuses"/> in order (then 200), so a test can make the first attempts fail.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ReceivedRequest> _requests = [];
    private readonly Task _loop;

    public HttpReceiver(params int[] statuses)
    {
        Port = ExternalProcess.FreePort();
        Statuses = new Queue<int>(statuses);
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Queue<int> Statuses { get; }

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            int status;
            lock (_requests)
            {
                status = Statuses.Count > 0 ? Statuses.Dequeue() : 200;
                _requests.Add(new ReceivedRequest(
                    DateTimeOffset.UtcNow, context.Request.Url!.AbsolutePath,
                    context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                    body, status));
            }

            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
