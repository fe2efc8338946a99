using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.AppHost.Tests;

/// <summary>The local stack loses redis-server (issue 21): the AppHost's restart command (the Aspire dashboard's
/// "Restart" button) brings it back from its AOF, and the Api takes events again without being restarted.</summary>
[Collection(nameof(AppHostCollection))]
public sealed class RestartTests(AppHostFixture fixture)
{
    private const string Browser =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    [Fact]
    public async Task A_killed_redis_server_comes_back_with_the_restart_command_with_its_data_and_the_api_reconnects()
    {
        using var api = fixture.App.CreateHttpClient("api");
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppHostFixture.AdminToken);
        var site = await (await api.PostAsJsonAsync("/api/sites", new { name = "Restart", domains = new[] { "restart.example.com" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var publicKey = site.GetProperty("public_key").GetString()!;
        var before = Guid.NewGuid().ToString();
        // Sent again at the end with this same timestamp, as a tracker's retry is: the dedupe set is the event's UTC
        // hour's, so a retry stamped anew after an hour began (kill, restart and reconnect take tens of seconds) went
        // to the next hour's set and was counted again (accepted 1).
        var beforeAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal((HttpStatusCode.Accepted, 1), await PostAsync(api, publicKey, before, beforeAt));

        var redis = (await fixture.App.GetConnectionStringAsync("redis"))!.Split(':');
        var pid = int.Parse(RedisCli(redis[0], redis[1], "info", "server").Split('\n')
            .Single(l => l.StartsWith("process_id:", StringComparison.Ordinal))["process_id:".Length..].Trim());
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL, as the OOM killer or a crash would
            await process.WaitForExitAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(api, publicKey, Guid.NewGuid().ToString())).Status);

        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        var restarted = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.RestartCommand);
        if (!restarted.Success)
        {
            restarted = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand);
        }

        Assert.True(restarted.Success, restarted.Message);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        (HttpStatusCode Status, int Accepted) again;
        do
        {
            await Task.Delay(500);
            again = await PostAsync(api, publicKey, Guid.NewGuid().ToString());
        }
        while (again.Status != HttpStatusCode.Accepted && DateTime.UtcNow < deadline);

        Assert.Equal((HttpStatusCode.Accepted, 1), again);
        // The event taken before the kill is still known (its dedupe entry came back from the AOF): a retry of it is a
        // duplicate, not a second count.
        Assert.Equal((HttpStatusCode.Accepted, 0), await PostAsync(api, publicKey, before, beforeAt));
    }

    private static async Task<(HttpStatusCode Status, int Accepted)> PostAsync(HttpClient api, string publicKey, string id, long? timestamp = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = JsonContent.Create(new
            {
                key = publicKey,
                events = new[]
                {
                    new { id, event_type = "page_view", page_url = "https://restart.example.com/", session_id = "s-restart", timestamp = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                },
            }),
        };
        request.Headers.UserAgent.ParseAdd(Browser);
        var response = await api.SendAsync(request);
        var accepted = response.StatusCode == HttpStatusCode.Accepted
            ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32()
            : -1;
        return (response.StatusCode, accepted);
    }

    private static string RedisCli(string host, string port, params string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "-h", host, "-p", port }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
