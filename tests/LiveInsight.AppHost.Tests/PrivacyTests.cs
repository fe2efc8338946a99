using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using StackExchange.Redis;

namespace LiveInsight.AppHost.Tests;

/// <summary>
/// "No raw IP is stored": visitors and an administrator arrive from known addresses (through the trusted-proxy
/// header, as behind the load balancer), the stack does its work, and then everything it wrote is read back — every
/// DynamoDB table, every Redis key and value, the Redis append-only file, and every service's log — and searched
/// for those addresses. Positive controls prove the scan sees the data it searches.
/// </summary>
[Collection(nameof(AppHostCollection))]
public sealed class PrivacyTests(AppHostFixture fixture)
{
    private const string Browser =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

    // Documentation ranges, with every group distinct, so no masked form ("198.51.100.0", "2001:db8:4::") contains them.
    private const string VisitorV4 = "198.51.100.77";
    private const string VisitorV6 = "2001:db8:4:5:6:7:8:9";
    private const string AdminIp = "192.0.2.201";
    private static readonly string[] RawAddresses = [VisitorV4, VisitorV6, "2001:0db8:0004:0005", AdminIp];

    [Fact]
    public async Task No_raw_client_address_reaches_any_table_redis_key_append_only_file_or_log()
    {
        var marker = "privacy" + Guid.NewGuid().ToString("N")[..10];
        using var api = fixture.App.CreateHttpClient("api");

        // An administrator's actions (audited with the masked address).
        var site = await SendAsync(api, HttpMethod.Post, "/api/sites", AdminIp, AppHostFixture.AdminToken,
            new { name = "Site " + marker, domains = new[] { "privacy.example.com" } });
        Assert.Equal(HttpStatusCode.Created, site.StatusCode);
        var created = await site.Content.ReadFromJsonAsync<JsonElement>();
        var siteId = created.GetProperty("site_id").GetString()!;
        var publicKey = created.GetProperty("public_key").GetString()!;
        var secretKey = created.GetProperty("secret_key").GetString()!;

        // Visitors: page views and a custom event from an IPv4 and an IPv6 address; one unknown (well-formed, so looked up
        // and counted per masked IP) key.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var ip in new[] { VisitorV4, VisitorV6 })
        {
            var events = new object[]
            {
                new { id = Guid.NewGuid().ToString(), event_type = "page_view", page_url = $"https://privacy.example.com/{marker}", session_id = "s-" + ip.GetHashCode(), timestamp = now },
                new { id = Guid.NewGuid().ToString(), event_type = "custom", name = "Signup", page_url = $"https://privacy.example.com/{marker}", session_id = "s-" + ip.GetHashCode(), timestamp = now + 1 },
            };
            var accepted = await SendAsync(api, HttpMethod.Post, "/api/events", ip, null, new { key = publicKey, events });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var refused = await SendAsync(api, HttpMethod.Post, "/api/events", VisitorV4, null,
            new { key = LiveInsight.Core.Sites.SiteKeys.NewPublicKey(), events = new[] { new { id = Guid.NewGuid().ToString(), event_type = "page_view", page_url = "https://privacy.example.com/" } } });
        Assert.True((int)refused.StatusCode is 401 or 403, $"a bad key answered {(int)refused.StatusCode}");

        var rotated = await SendAsync(api, HttpMethod.Post, $"/api/sites/{siteId}/rotate-keys", AdminIp, AppHostFixture.AdminToken, new { });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);

        // The dashboard sees the administrator's address too.
        using var dashboard = fixture.App.CreateHttpClient("dashboard");
        using (var login = new HttpRequestMessage(HttpMethod.Get, "/login"))
        {
            login.Headers.Add("X-Forwarded-For", AdminIp);
            await dashboard.SendAsync(login);
        }

        // Wait until the aggregator has persisted the events and flushed rollups (the read side reads the Stats table).
        await WaitForPageViewsAsync(api, siteId, secretKey, marker, now);

        var texts = new List<(string Where, string Text)>();
        texts.AddRange(await DynamoDbDumpAsync());
        texts.AddRange(await RedisDumpAsync());
        texts.AddRange(AppendOnlyFiles());
        texts.AddRange(Logs());

        // Positive controls: the scan reads the data it searches — the site's name from the Sites table, the page path
        // from the Events table and the stream, and the masked address of the refused request from a Redis key.
        Assert.Contains(texts, t => t.Where.Contains("Sites", StringComparison.Ordinal) && t.Text.Contains("Site " + marker, StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Where.Contains("Events", StringComparison.Ordinal) && t.Text.Contains("/" + marker, StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Where.StartsWith("redis", StringComparison.Ordinal) && t.Text.Contains("/" + marker, StringComparison.Ordinal));
        Assert.True(texts.Any(t => t.Where.StartsWith("redis key", StringComparison.Ordinal) && t.Text.Contains("198.51.100.0", StringComparison.Ordinal)),
            "no per-address limit key for the masked address; limit keys: " + string.Join(", ", texts.Where(t => t.Text.Contains("rlip", StringComparison.Ordinal)).Select(t => t.Where)));
        Assert.Contains(texts, t => t.Where.StartsWith("log", StringComparison.Ordinal));
        // The administrator's actions are in the audit log, with the address masked to its /24.
        Assert.Contains(texts, t => t.Where.Contains("Audit", StringComparison.Ordinal) && t.Text.Contains("site.rotate_keys", StringComparison.Ordinal)
            && t.Text.Contains("192.0.2.0", StringComparison.Ordinal));

        var leaks = texts
            .SelectMany(t => RawAddresses.Where(ip => t.Text.Contains(ip, StringComparison.OrdinalIgnoreCase)).Select(ip => $"{ip} in {t.Where}"))
            .Distinct()
            .ToList();
        Assert.Empty(leaks);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string ip, string? bearer, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.UserAgent.ParseAdd(Browser);
        request.Headers.Add("X-Forwarded-For", ip);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Reads the events' day by name (the site's zone is UTC), not range=today: the Api resolves today on its own
    /// clock, and a UTC midnight between the posts and the polls had it read the next day, without the marker.</summary>
    private static async Task WaitForPageViewsAsync(HttpClient api, string siteId, string secretKey, string marker, long eventsAt)
    {
        var day = DateTimeOffset.FromUnixTimeMilliseconds(eventsAt).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var attempt = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/stats/pages?site_id={siteId}&from={day}&to={day}&limit={100 + attempt++}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
            var response = await api.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (body.Contains("/" + marker, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                Assert.Contains("/" + marker, body);
                return;
            }

            await Task.Delay(500);
        }
    }

    private async Task<List<(string, string)>> DynamoDbDumpAsync()
    {
        using var dynamo = DynamoDbExtensions.CreateClient(await fixture.App.GetConnectionStringAsync("dynamodb"));
        var texts = new List<(string, string)>();
        foreach (var table in (await dynamo.ListTablesAsync()).TableNames)
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var page = await dynamo.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start });
                texts.AddRange((page.Items ?? []).Select(item => ($"table {table}", Render(item))));
                start = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
            }
            while (start is not null);
        }

        return texts;
    }

    private static string Render(Dictionary<string, AttributeValue> item)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in item)
        {
            text.Append(name).Append('=');
            Render(value, text);
            text.Append('\n');
        }

        return text.ToString();
    }

    private static void Render(AttributeValue value, StringBuilder text)
    {
        text.Append(value.S).Append(value.N);
        if (value.B is { } bytes)
        {
            text.Append(Encoding.Latin1.GetString(bytes.ToArray()));
        }

        foreach (var s in value.SS ?? [])
        {
            text.Append(s).Append(',');
        }

        foreach (var element in value.L ?? [])
        {
            Render(element, text);
            text.Append(',');
        }

        foreach (var (name, element) in value.M ?? [])
        {
            text.Append(name).Append(':');
            Render(element, text);
            text.Append(',');
        }
    }

    private async Task<List<(string, string)>> RedisDumpAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.App.GetConnectionStringAsync("redis") + ",allowAdmin=true");
        var db = redis.GetDatabase();
        var server = redis.GetServers().Single();
        var texts = new List<(string, string)>();
        await foreach (var key in server.KeysAsync(pageSize: 500))
        {
            texts.Add(($"redis key {key}", key.ToString()));
            var value = await db.KeyTypeAsync(key) switch
            {
                RedisType.String => Latin1((byte[]?)await db.StringGetAsync(key)),
                RedisType.Hash => string.Join('\n', (await db.HashGetAllAsync(key)).Select(e => $"{e.Name}={Latin1((byte[]?)e.Value)}")),
                RedisType.List => string.Join('\n', (await db.ListRangeAsync(key)).Select(v => Latin1((byte[]?)v))),
                RedisType.Set => string.Join('\n', (await db.SetMembersAsync(key)).Select(v => Latin1((byte[]?)v))),
                RedisType.SortedSet => string.Join('\n', (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element}={e.Score}")),
                RedisType.Stream => string.Join('\n', (await db.StreamRangeAsync(key)).SelectMany(e => e.Values).Select(v => $"{v.Name}={v.Value}")),
                _ => "",
            };
            texts.Add(($"redis {key}", value));
        }

        return texts;
    }

    private static string Latin1(byte[]? bytes) => bytes is null ? "" : Encoding.Latin1.GetString(bytes);

    private IEnumerable<(string, string)> AppendOnlyFiles() =>
        Directory.EnumerateFiles(Path.Combine(fixture.DataDirectory, "redis"), "*", SearchOption.AllDirectories)
            .Select(path => ($"file {Path.GetFileName(path)}", Latin1(ReadShared(path))));

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private IEnumerable<(string, string)> Logs() => fixture.Logs.Select(entry => ($"log {entry.Resource}", entry.Line)).ToList();
}
