using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace LiveInsight.Testing;

/// <summary>
/// A real SMTP server with a REST inbox: npm <c>maildev</c> on loopback (SMTP on <see cref="SmtpPort"/>, REST API on
/// <see cref="WebPort"/>). Tests read what arrived through <c>GET /api/email</c> and each message's raw source, parsed
/// with MimeKit, so headers (List-Unsubscribe) and both parts are checked as a mail client would see them.
/// </summary>
public sealed class Mailbox : IAsyncDisposable
{
    private readonly HttpClient _http;

    public Mailbox()
    {
        WebPort = ExternalProcess.FreePort();
        Process = new ExternalProcess("maildev", "node", port =>
        [
            RepositoryPaths.MaildevCli, "--smtp", port.ToString(), "--ip", "127.0.0.1",
            "--web", WebPort.ToString(), "--web-ip", "127.0.0.1", "--silent", "--mail-directory", Directory,
        ]);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}") };
    }

    public ExternalProcess Process { get; }

    /// <summary>maildev keeps each message's source in a folder (default <c>/tmp/maildev</c>, shared): one per instance.</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"li-maildev-{Guid.NewGuid():N}");

    public int SmtpPort => Process.Port;

    public int WebPort { get; }

    /// <summary>The settings that point <c>MailSender</c> here (plain SMTP on loopback).</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Mail:Host"] = "127.0.0.1",
        ["Mail:Port"] = SmtpPort.ToString(),
        ["Mail:Security"] = "none",
        ["Mail:From"] = "LiveInsight <alerts@liveinsight.test>",
    };

    public async Task StartAsync()
    {
        await Process.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                (await _http.GetAsync("/api/email")).EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Every message received for <paramref name="to"/>, oldest first.</summary>
    public async Task<IReadOnlyList<MimeMessage>> MessagesToAsync(string to)
    {
        var list = await _http.GetFromJsonAsync<JsonElement>("/api/email");
        var messages = new List<MimeMessage>();
        foreach (var mail in list.EnumerateArray()
                     .Where(m => m.GetProperty("to").EnumerateArray().Any(a => string.Equals(a.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
                     .OrderBy(m => m.GetProperty("time").GetString(), StringComparer.Ordinal))
        {
            await using var source = await _http.GetStreamAsync($"/api/email/{mail.GetProperty("id").GetString()}/source");
            messages.Add(await MimeMessage.LoadAsync(source));
        }

        return messages;
    }

    /// <summary>Waits until <paramref name="count"/> messages reached <paramref name="to"/> (delivery is asynchronous
    /// in maildev), then a little longer to catch any extra one.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string to, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var messages = await MessagesToAsync(to);
            if (messages.Count >= count || DateTime.UtcNow > deadline)
            {
                await Task.Delay(300);
                return await MessagesToAsync(to);
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
