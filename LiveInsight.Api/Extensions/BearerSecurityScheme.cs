using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LiveInsight.Api.Extensions;

/// <summary>
/// Declares how the Api is called in its OpenAPI document (issue 23, finding 9): <c>Authorization: Bearer …</c> with a
/// site's secret key (<c>sk_…</c>, that site only) or the admin token, as the default for every operation, so an
/// interactive reference can send it when it tries a call. The tracker's and ingestion's public routes need no
/// credential; they say so with an empty requirement.
/// </summary>
public sealed class BearerSecurityScheme : IOpenApiDocumentTransformer
{
    public const string Name = "bearer";

    private static readonly string[] PublicPaths = ["/api/events", "/api/event", "/api/send", "/liveinsight.js", "/api/unsubscribe"];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A site's secret key (sk_…: reads and settings of that site only) or the installation's admin token.",
        };
        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Name, document)] = [] };
        document.Security = [requirement];
        foreach (var (path, item) in document.Paths)
        {
            if (PublicPaths.Contains(path, StringComparer.Ordinal))
            {
                foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
                {
                    operation.Security = [new OpenApiSecurityRequirement()];
                }
            }
        }

        return Task.CompletedTask;
    }
}
