using System.Security.Cryptography;
using System.Text;
using LiveInsight.Api.Ingestion.Pipeline;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>The visitor id keeps its definition, HMAC-SHA256(salt, "site \n ip \n user-agent") cut to 8 bytes, now that
/// each thread keeps its keyed HMAC between requests (issue 22): same ids for any input, and a new salt is a new key.</summary>
public sealed class VisitorIdTests
{
    private static string Reference(byte[] salt, string siteId, string? ip, string? userAgent) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes($"{siteId}\n{ip}\n{userAgent}"))[..8]);

    public static TheoryData<string, string?, string?> Inputs => new()
    {
        { "site1", "203.0.113.9", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" },
        { "site1", null, null },
        { "site1", "", "" },
        { "site2", "2001:db8::1", "Ünïcødé 🦊 \u202e agent\n with a newline" },
        { "site2", "198.51.100.1", "lone surrogate \ud800 here" },
        { "site3", "198.51.100.1", new string('x', 5000) + "é" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_id_is_the_hmac_of_site_ip_and_user_agent_under_the_days_salt(string siteId, string? ip, string? userAgent)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        Assert.Equal(Reference(salt, siteId, ip, userAgent), PutVisitorId.Compute(salt, siteId, ip, userAgent));
        // A second time on the same thread, with the kept HMAC: the same id.
        Assert.Equal(Reference(salt, siteId, ip, userAgent), PutVisitorId.Compute(salt, siteId, ip, userAgent));
    }

    /// <summary>A client clock running up to 5 minutes ahead stamps an event just past UTC midnight while the server is
    /// still on the day before, whose salt is the newest: the event takes the receive time, so its id and its time are
    /// of the same UTC day (no id appears on two UTC days, which the lake's day sums rely on).</summary>
    [Fact]
    public void An_event_stamped_on_a_UTC_day_without_a_salt_takes_the_receive_time_and_that_days_id()
    {
        var received = new DateTimeOffset(2026, 11, 30, 23, 58, 0, TimeSpan.Zero);
        var (today, yesterday) = (RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(16));
        var site = new LiveInsight.Core.Sites.Site("site1", "Test", ["example.com"], "pk", "hash", "UTC", true, received);
        var request = new LiveInsight.Api.Ingestion.IngestContext(site, received, System.Net.IPAddress.Parse("203.0.113.9"), "ua", false, false,
            new Dictionary<DateOnly, byte[]> { [new DateOnly(2026, 11, 30)] = today, [new DateOnly(2026, 11, 29)] = yesterday });
        var ahead = new LiveInsight.Api.Ingestion.IngestEvent(new LiveInsight.Api.Ingestion.IncomingEvent()) { Timestamp = received.AddMinutes(3) };
        var earlier = new LiveInsight.Api.Ingestion.IngestEvent(new LiveInsight.Api.Ingestion.IncomingEvent()) { Timestamp = received.AddMinutes(-20) };

        var step = new PutVisitorId();
        step.Run(request, earlier);
        step.Run(request, ahead);

        Assert.Equal(received, ahead.Timestamp);
        Assert.Equal(Reference(today, "site1", "203.0.113.9", "ua"), ahead.VisitorId);
        Assert.Equal(earlier.VisitorId, ahead.VisitorId);
        Assert.Equal(received.AddMinutes(-20), earlier.Timestamp);
    }

    [Fact]
    public void Alternating_salts_give_each_salts_own_id_and_an_equal_salt_in_another_array_the_same()
    {
        var today = RandomNumberGenerator.GetBytes(16);
        var yesterday = RandomNumberGenerator.GetBytes(16);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Reference(today, "s", "1.2.3.4", "ua"), PutVisitorId.Compute(today, "s", "1.2.3.4", "ua"));
            Assert.Equal(Reference(yesterday, "s", "1.2.3.4", "ua"), PutVisitorId.Compute(yesterday, "s", "1.2.3.4", "ua"));
        }

        Assert.NotEqual(PutVisitorId.Compute(today, "s", "1.2.3.4", "ua"), PutVisitorId.Compute(yesterday, "s", "1.2.3.4", "ua"));
        Assert.Equal(PutVisitorId.Compute(today, "s", "1.2.3.4", "ua"), PutVisitorId.Compute([.. today], "s", "1.2.3.4", "ua"));
    }
}
