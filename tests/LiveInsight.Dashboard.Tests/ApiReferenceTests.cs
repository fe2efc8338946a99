using System.Net;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Issue 23, finding 9: the Api's OpenAPI reference for signed-in users in every environment (these tests run
/// in "Testing", where the Api itself gives the document only for the admin token), linked from the dashboard.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ApiReferenceTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_signed_in_user_follows_the_link_to_the_reference_with_the_api_address_and_how_to_authenticate()
    {
        var page = await fixture.SignedInPageAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "API reference" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/api-reference");

        await Assertions.Expect(page.Locator("#server")).ToHaveTextAsync(fixture.ApiUrl);
        await Assertions.Expect(page.Locator("#auth")).ToContainTextAsync("Authorization: Bearer");
        await Assertions.Expect(page.Locator("#auth")).ToContainTextAsync("secret key");
        var stats = page.GetByRole(AriaRole.Region, new() { Name = "Stats" });
        await Assertions.Expect(stats.Locator("[data-operation=GetSummary]")).ToContainTextAsync("/api/stats/summary");
        await Assertions.Expect(stats.Locator("[data-operation=GetSummary]")).ToContainTextAsync("site_id");
        await Assertions.Expect(page.Locator("[data-operation=GetInstallationCheck]")).ToContainTextAsync("/api/sites/{siteId}/installation");
        await Assertions.Expect(page.Locator("li").Filter(new() { HasText = "/api/events" }).First).ToContainTextAsync("no credential");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Nobody_signed_out_gets_the_reference_or_its_document()
    {
        using var client = fixture.NewHttpClient();

        var pageAnswer = await client.GetAsync("/api-reference");
        var document = await client.GetAsync("/api-reference/openapi.json");

        Assert.Equal(HttpStatusCode.Redirect, pageAnswer.StatusCode);
        Assert.Equal("/login", pageAnswer.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Unauthorized, document.StatusCode);
    }
}
