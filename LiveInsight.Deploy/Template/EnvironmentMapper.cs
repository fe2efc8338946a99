using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LiveInsight.Deploy.Manifest;

namespace LiveInsight.Deploy.Template;

/// <summary>One variable as ECS gets it: a plain value, or a secret (<c>ValueFrom</c> an ARN) injected at start.</summary>
/// <param name="Condition">A template condition the variable exists under (absent otherwise); null = always.</param>
public sealed record EnvironmentEntry(string Name, JsonNode Value, bool IsSecret, string? Condition = null);

/// <summary>A manifest variable left out of production, and why (printed by the generator, asserted by tests).</summary>
public sealed record DroppedVariable(string Name, string Reason);

/// <summary>
/// Turns a project's manifest environment into its ECS environment and secrets. Every placeholder Aspire can write
/// for LiveInsight's resources has a rule; an unknown one stops the generator rather than leaking a dev value.
/// </summary>
public sealed partial class EnvironmentMapper(AspireManifest manifest)
{
    /// <summary>Service Connect name and port of the Api inside the cluster (see DEPLOY.md).</summary>
    public const string InternalApiUrl = "http://api:8080";

    /// <summary>ElastiCache with in-transit encryption: TLS on, the AUTH token comes separately (a secret), because
    /// Aspire's Redis client binds <c>Aspire:StackExchange:Redis:ConfigurationOptions</c> over the parsed string.</summary>
    public const string RedisPasswordVariable = "Aspire__StackExchange__Redis__ConfigurationOptions__Password";

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Placeholder();

    public (List<EnvironmentEntry> Entries, List<DroppedVariable> Dropped) Map(ManifestProject project, ServiceSpec spec)
    {
        var entries = new List<EnvironmentEntry>();
        var dropped = new List<DroppedVariable>();
        foreach (var (name, value) in project.Environment)
        {
            var (entry, reason) = MapOne(name, value);
            if (entry is not null)
            {
                entries.Add(entry);
            }
            else
            {
                dropped.Add(new DroppedVariable(name, reason!));
            }
        }

        if (entries.Any(e => e.Name == "ConnectionStrings__redis"))
        {
            entries.Add(new EnvironmentEntry(RedisPasswordVariable, Cfn.Sub("${RedisAuthSecret}:password::"), IsSecret: true));
        }

        entries.Add(new EnvironmentEntry("AWS_REGION", Cfn.Ref("AWS::Region"), IsSecret: false));
        entries.Add(new EnvironmentEntry("OTEL_SERVICE_NAME", JsonValue.Create(spec.Name), IsSecret: false));
        if (spec.UsesStorage)
        {
            entries.Add(new EnvironmentEntry("LiveInsight__Storage__TablePrefix", Cfn.Ref("TablePrefix"), IsSecret: false));
        }

        if (spec.TrustsLoadBalancer)
        {
            // The ALB is the only proxy in front of the service, and it is inside the VPC.
            entries.Add(new EnvironmentEntry(spec.TrustedProxiesSetting + "__0", Cfn.Ref("VpcCidr"), IsSecret: false));
        }

        if (spec.MetricsSidecar)
        {
            // The ADOT collector in the same task (awsvpc: containers share the network namespace).
            entries.Add(new EnvironmentEntry("OTEL_EXPORTER_OTLP_ENDPOINT", JsonValue.Create(MetricsSidecar.OtlpEndpoint), IsSecret: false));
        }

        return (entries, dropped);
    }

    private (EnvironmentEntry? Entry, string? Reason) MapOne(string name, string value)
    {
        var placeholders = Placeholder().Matches(value).Select(m => m.Groups[1].Value).ToList();
        if (placeholders.Count == 0)
        {
            return LooksLocal(value)
                ? (null, "points at the developer machine")
                : (new EnvironmentEntry(name, JsonValue.Create(value), false), null);
        }

        if (placeholders.Any(p => ResourceOf(p) == "dynamodb"))
        {
            return (null, "DynamoDB in AWS: no connection string, the SDK uses the task role and the regional endpoint");
        }

        var secret = placeholders.Select(SecretFor).FirstOrDefault(s => s is not null);
        if (secret is not null)
        {
            return value == "{" + placeholders[0] + "}" && placeholders.Count == 1
                ? (new EnvironmentEntry(name, secret, IsSecret: true), null)
                : (null, "mixes a secret into a longer value, which ECS cannot compose from Secrets Manager");
        }

        if (value == "{redis.connectionString}")
        {
            return (new EnvironmentEntry(name, Cfn.Sub("${Redis.PrimaryEndPoint.Address}:${Redis.PrimaryEndPoint.Port},ssl=true"), false), null);
        }

        if (placeholders.Any(p => p.EndsWith(".bindings.https.url", StringComparison.Ordinal)))
        {
            return (null, "https inside the VPC is not used: TLS ends at the load balancer");
        }

        // Literal text is escaped for Fn::Sub ("${" → "${!"); a value needs Fn::Sub only if a placeholder became a reference.
        var sub = new System.Text.StringBuilder();
        var plain = new System.Text.StringBuilder();
        var needsSub = false;
        var cursor = 0;
        foreach (Match match in Placeholder().Matches(value))
        {
            var literal = value[cursor..match.Index];
            var (resolved, isReference) = Resolve(name, match.Groups[1].Value);
            sub.Append(literal.Replace("${", "${!")).Append(resolved);
            plain.Append(literal).Append(resolved);
            needsSub |= isReference;
            cursor = match.Index + match.Length;
        }

        sub.Append(value[cursor..].Replace("${", "${!"));
        plain.Append(value[cursor..]);
        return (new EnvironmentEntry(name, needsSub ? Cfn.Sub(sub.ToString()) : JsonValue.Create(plain.ToString()), false), null);
    }

    /// <summary>A placeholder's value inside an <c>Fn::Sub</c> string.</summary>
    private (string Text, bool IsReference) Resolve(string variable, string placeholder)
    {
        var resource = ResourceOf(placeholder);
        var isProject = manifest.ResourceTypes.TryGetValue(resource, out var type) && type == "project.v0";
        return placeholder switch
        {
            _ when isProject && placeholder.EndsWith(".bindings.http.targetPort", StringComparison.Ordinal) => (ServiceCatalog.ContainerPort.ToString(), false),
            "api.bindings.http.url" => (InternalApiUrl, false),
            "redis.bindings.tcp.host" => ("${Redis.PrimaryEndPoint.Address}", true),
            "redis.bindings.tcp.port" => ("${Redis.PrimaryEndPoint.Port}", true),
            _ => throw new InvalidOperationException(
                $"{variable}: no production value for '{{{placeholder}}}'. Teach EnvironmentMapper what it is in AWS."),
        };
    }

    private static JsonNode? SecretFor(string placeholder) => placeholder switch
    {
        "admin-token.value" => Cfn.Ref("AdminTokenSecret"),
        "redis-password.value" or "redis-password-uri-encoded.value" => Cfn.Sub("${RedisAuthSecret}:password::"),
        _ => null,
    };

    private static string ResourceOf(string placeholder) => placeholder.Split('.')[0];

    public static bool LooksLocal(string value) =>
        value.Contains("localhost", StringComparison.OrdinalIgnoreCase)
        || value.Contains("127.0.0.1", StringComparison.Ordinal)
        || value.Contains("[::1]", StringComparison.Ordinal)
        || value.Contains("host.docker.internal", StringComparison.OrdinalIgnoreCase);
}
