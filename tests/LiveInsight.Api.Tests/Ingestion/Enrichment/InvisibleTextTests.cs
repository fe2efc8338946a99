using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Api.Ingestion.Pipeline;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

/// <summary>Bidi controls and zero-width characters never reach a dashboard, wherever a visitor's text comes in.</summary>
public sealed class InvisibleTextTests
{
    public static TheoryData<string, string> Paths => new()
    {
        // Right-to-left override: "/invoice‮fdp.exe" would read as "/invoiceexe.pdf".
        { "https://example.com/invoice%E2%80%AEfdp.exe", "/invoicefdp.exe" },
        { "https://example.com/invoice\u202Efdp.exe", "/invoicefdp.exe" },
        { "https://example.com/a%E2%80%AAb%E2%80%ABc%E2%80%ACd%E2%80%ADe", "/abcde" },
        { "https://example.com/a%E2%81%A6b%E2%81%A7c%E2%81%A8d%E2%81%A9e", "/abcde" },
        { "https://example.com/a%E2%80%8Eb%E2%80%8Fc%D8%9Cd", "/abcd" },
        // Zero-width space, word joiner, BOM, soft hyphen: "/ad​min" would count apart from "/admin".
        { "https://example.com/ad%E2%80%8Bmin", "/admin" },
        { "https://example.com/ad\u200Bmin", "/admin" },
        { "https://example.com/a%E2%81%A0b%EF%BB%BFc%C2%ADd", "/abcd" },
        // Tag characters (outside the BMP).
        { "https://example.com/a%F3%A0%80%81b", "/ab" },
        // Joiners that scripts and emoji need stay.
        { "https://example.com/%D9%85%DB%8C%E2%80%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85", "/می\u200Cخواهم" },
        { "https://example.com/a/#/%E2%80%AEsettings", "/a" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Paths_lose_bidi_controls_and_zero_width_characters(string url, string path)
    {
        Assert.True(PageUrl.TryParse(url, hashRouting: false, out var page));

        Assert.Equal(path, page.Path);
    }

    [Fact]
    public void Hash_routes_lose_them_too()
    {
        Assert.True(PageUrl.TryParse("https://example.com/app/#/%E2%80%AEsettings", hashRouting: true, out var page));

        Assert.Equal("/app/#/settings", page.Path);
    }

    public static TheoryData<string, string?> Texts => new()
    {
        { "Pay \u202Egnp.exe", "Pay gnp.exe" },
        { "\u2066Signup\u2069", "Signup" },
        { "Sign\u200Bup", "Signup" },
        { "\uFEFFPlan", "Plan" },
        { "\u200E\u200F\u061C", null },
        { "pro\U000E0001\U000E0070", "pro" },
        { "Caf\u00E9 \U0001F468\u200D\U0001F469\u200D\U0001F467", "Caf\u00E9 \U0001F468\u200D\U0001F469\u200D\U0001F467" },
        { "a\u0007b\u0085c", "abc" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Names_titles_and_props_lose_them(string text, string? cleaned)
    {
        Assert.Equal(cleaned, PutEventFields.Clean(text, 100));
    }

    [Theory]
    [InlineData("  Pricing  ", 100, "Pricing")] // plain text: only the ends are trimmed
    [InlineData("Pricing", 7, "Pricing")] // exactly at the limit
    [InlineData("Pricing", 5, "Prici")] // over it: cut
    [InlineData("   ", 100, null)]
    [InlineData("x\U0001F600", 2, "x")] // a pair that does not fit whole is left out
    public void Plain_text_comes_back_as_it_was_and_everything_else_takes_the_careful_path(string text, int max, string? cleaned)
    {
        Assert.Equal(cleaned, PutEventFields.Clean(text, max));
    }

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character()
    {
        // Built here: an attribute's string cannot carry a lone surrogate through the test's metadata.
        var text = "a" + (char)0xD800 + "b";

        Assert.Equal("a\uFFFDb", PutEventFields.Clean(text, 100));
    }

    [Theory]
    [InlineData("?utm_source=news\u202Eletter&utm_campaign=%E2%80%AEspring", "newsletter", "spring")]
    [InlineData("?utm_source=%E2%80%8B%E2%80%8Bx&utm_campaign=a%0Ab", "x", "ab")]
    public void Campaign_parameters_lose_them(string query, string source, string campaign)
    {
        var utm = Utm.FromQuery(query);

        Assert.Equal((source, campaign), (utm.Source, utm.Campaign));
    }
}
