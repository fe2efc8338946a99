using System.Collections.Concurrent;
using System.Reflection;
using LiveInsight.Api.Extensions;
using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Api.Apis;

/// <summary>
/// The read API answers only what it was asked (issue 23, finding 5): a query parameter the endpoint does not take is a
/// 400 problem that names it, instead of numbers that silently ignore it (<c>filter=page:/about.html</c>, the
/// dashboard's URL form, answered unfiltered totals). What an endpoint takes is read from its handler once: its
/// <c>[FromQuery]</c> parameters, the <c>[AsParameters]</c> record's <c>[FromQuery]</c> properties, simple parameters
/// bound from the query by name, and <see cref="Extra"/> names the handler reads itself (<c>format</c>).
/// </summary>
public sealed class KnownQueryParameters : IEndpointFilter
{
    /// <summary>Read by <see cref="Tabular"/> from the request itself, for every read endpoint.</summary>
    public static readonly string[] Extra = ["format"];

    private static readonly ConcurrentDictionary<Endpoint, IReadOnlySet<string>> Known = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.GetEndpoint() is { } endpoint)
        {
            var known = Known.GetOrAdd(endpoint, KnownOf);
            var unknown = http.Request.Query.Keys.Where(key => !known.Contains(key)).ToList();
            if (unknown.Count > 0)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "Unknown query parameter",
                    detail: Describe(unknown, known));
            }
        }

        return await next(context);
    }

    public static string Describe(IReadOnlyList<string> unknown, IReadOnlySet<string> known)
    {
        var names = string.Join(", ", unknown.Take(5).Select(name => $"'{Shorten(name)}'")) + (unknown.Count > 5 ? $" and {unknown.Count - 5} more" : "");
        var hint = unknown.Any(name => name is "filter" or "f" or "filters")
            ? " Filter with the parameter of the dimension (page=/about.html, source=, country=, device=) where the endpoint takes one, or POST /api/v2/query for any filters."
            : "";
        return $"This endpoint does not take {names}; it takes {string.Join(", ", known.Order(StringComparer.Ordinal))}.{hint}";
    }

    /// <summary>The query names a handler binds (never services, the body, route values or the request itself).</summary>
    public static IReadOnlySet<string> KnownOf(Endpoint endpoint)
    {
        var names = new HashSet<string>(Extra, StringComparer.Ordinal);
        var routeValues = (endpoint as RouteEndpoint)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        foreach (var parameter in endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters() ?? [])
        {
            if (parameter.GetCustomAttribute<FromQueryAttribute>() is { } fromQuery)
            {
                names.Add(fromQuery.Name ?? parameter.Name!);
            }
            else if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                foreach (var property in parameter.ParameterType.GetProperties())
                {
                    if (property.GetCustomAttribute<FromQueryAttribute>() is { } onProperty)
                    {
                        names.Add(onProperty.Name ?? property.Name);
                    }
                }
            }
            else if (IsSimple(parameter.ParameterType) && !routeValues.Contains(parameter.Name!)
                     && parameter.GetCustomAttributes().All(a => a is not (FromRouteAttribute or FromHeaderAttribute or FromServicesAttribute or FromBodyAttribute)))
            {
                names.Add(parameter.Name!);
            }
        }

        return names;
    }

    private static bool IsSimple(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(DateOnly) || underlying == typeof(DateTimeOffset) || underlying == typeof(Guid);
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
