using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Apis;
using LiveInsight.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Stats;

/// <summary>Issue 23, finding 5: <c>filter=page:/about.html</c> (the dashboard's URL form) answered unfiltered numbers
/// with 200. Every read route now refuses a parameter it does not take with a 400 that names it, and still takes every
/// one it documents.</summary>
[Collection(nameof(ApiCollection))]
public sealed class UnknownQueryParameterTests(ApiFixture fixture)
{
    public static TheoryData<string> ReadRoutes =>
    [
        "/api/stats/summary", "/api/stats/daily", "/api/stats/timeseries", "/api/stats/pages", "/api/stats/sources",
        "/api/stats/countries", "/api/stats/event-props", "/api/realtime/users", "/api/realtime/pages", "/api/realtime/stream",
    ];

    [Theory]
    [MemberData(nameof(ReadRoutes))]
    public async Task A_parameter_the_route_does_not_take_is_a_400_naming_it(string route)
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();

        var response = await admin.GetAsync($"{route}?site_id={site.SiteId}&filter=page:/about.html&colour=blue");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("'filter', 'colour'", detail, StringComparison.Ordinal);
        Assert.Contains("site_id", detail, StringComparison.Ordinal);
        Assert.Contains("page=/about.html", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_documented_parameter_is_still_taken()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        var id = site.SiteId;

        var answers = await Task.WhenAll(new[]
        {
            $"/api/stats/summary?site_id={id}&range=custom&from=2026-01-01&to=2026-01-07&page=/about.html&format=json",
            $"/api/stats/daily?site_id={id}&range=7d&source=Google&format=csv",
            $"/api/stats/timeseries?site_id={id}&range=today&interval=hour&device=Desktop",
            $"/api/stats/pages?site_id={id}&range=30d&limit=5&format=html",
            $"/api/stats/countries?site_id={id}&range=month&limit=3",
            $"/api/stats/event-props?site_id={id}&name=Signup&limit=3",
            $"/api/realtime/users?site_id={id}",
            $"/api/realtime/pages?site_id={id}&limit=5",
            $"/api/sites/{id}/installation",
        }.Select(admin.GetAsync));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
    }

    [Fact]
    public void The_known_names_come_from_each_handler()
    {
        var endpoints = fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        string[] Known(string pattern) => [.. KnownQueryParameters.KnownOf(endpoints.Single(e => e.RoutePattern.RawText == pattern)).Order(StringComparer.Ordinal)];

        Assert.Equal(["country", "device", "format", "from", "interval", "limit", "page", "range", "site_id", "source", "to"], Known("/api/stats/summary"));
        Assert.Contains("name", Known("/api/stats/event-props"));
        Assert.DoesNotContain("name", Known("/api/stats/pages"));
        Assert.Equal(["format", "limit", "site_id"], Known("/api/realtime/pages"));
        Assert.Equal(["format"], Known("/api/sites/{siteId}/installation"));
    }
}
