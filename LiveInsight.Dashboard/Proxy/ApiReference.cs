using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Proxy;

/// <summary>
/// The Api's OpenAPI reference for signed-in users, in every environment (issue 23, finding 9): <c>/api-reference</c>
/// renders it (wwwroot/reference.html, js/reference.js), <c>/api-reference/openapi.json</c> is the document, fetched
/// from the Api with the admin token (the Api gives it to nobody else outside development) and cached for a few
/// minutes, with its server set to the Api's address as browsers see it so any OpenAPI tool can try calls with a key.
/// </summary>
public sealed class ApiReference(HttpClient http, IMemoryCache cache, IOptions<DashboardOptions> options, IConfiguration configuration)
{
    public const string Path = "/api-reference";
    public const string DocumentPath = Path + "/openapi.json";
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    private const string CacheKey = "api-reference:openapi";

    public async Task<JsonNode> DocumentAsync(CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey, out JsonNode? cached) && cached is not null)
        {
            return cached;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.AdminToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var document = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken)
            ?? throw new InvalidOperationException("The Api's OpenAPI document is empty.");
        var apiUrl = options.Value.Dashboard.PublicApiUrl ?? configuration["services:api:http:0"];
        if (apiUrl is not null)
        {
            document["servers"] = new JsonArray(new JsonObject { ["url"] = apiUrl.TrimEnd('/') });
        }

        cache.Set(CacheKey, document, CacheFor);
        return document;
    }
}

/// <summary>The reference page and its document (<see cref="ApiReference"/>), for signed-in users.</summary>
public static class ApiReferenceEndpoints
{
    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiReference.Path, (HttpContext context, IWebHostEnvironment env) =>
            {
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.PhysicalFile(System.IO.Path.Combine(env.WebRootPath, "reference.html"), "text/html; charset=utf-8");
            })
            .WithName("ApiReference")
            .RequireAuthorization(Policies.Viewer);
        app.MapGet(ApiReference.DocumentPath, async (ApiReference reference, CancellationToken ct) =>
                TypedResults.Text((await reference.DocumentAsync(ct)).ToJsonString(), "application/json; charset=utf-8"))
            .WithName("ApiReferenceDocument")
            .RequireAuthorization(Policies.Viewer);
        return app;
    }
}
