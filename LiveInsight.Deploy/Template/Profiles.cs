using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>Which shape of the stack <c>./liveinsight deploy-plan --profile</c> writes (DEPLOY.md compares them).</summary>
public enum Profile
{
    /// <summary>One Fargate Spot task (Api + aggregator), a dashboard task, one cache.t4g.micro, an HTTP API instead of
    /// the ALB, public subnets instead of a NAT gateway: ~$40 a month at 1 M events, no failover.</summary>
    Small,

    /// <summary>The template as it always was: an ALB, autoscaled services, a Multi-AZ Redis primary and replica.</summary>
    Standard,

    /// <summary>Standard with ElastiCache cluster mode enabled and the hot path split into shard streams.</summary>
    Large,
}

/// <summary>
/// A profile is a set of changes applied to the standard stack after it is generated, in its own file
/// (<see cref="SmallProfile"/>, <see cref="LargeProfile"/>), so whatever the standard stack gains (a bucket, SMTP
/// settings) every profile gains too, and the standard generator has no profile branches.
/// </summary>
public static class Profiles
{
    public static Profile Parse(string name) =>
        Enum.TryParse<Profile>(name, ignoreCase: true, out var profile) && Enum.IsDefined(profile)
            ? profile
            : throw new ArgumentException($"Unknown profile '{name}': small, standard or large.");

    /// <summary>Where <c>deploy-plan</c> writes (and the tests find) each profile's template.</summary>
    public static string FileName(Profile profile) =>
        profile == Profile.Standard ? "liveinsight.cfn.json" : $"liveinsight-{profile.ToString().ToLowerInvariant()}.cfn.json";

    public static void Apply(CfnTemplate template, Profile profile)
    {
        switch (profile)
        {
            case Profile.Small:
                SmallProfile.Apply(template);
                break;
            case Profile.Large:
                LargeProfile.Apply(template);
                break;
        }
    }

    /// <summary>Every string in <paramref name="node"/> (keys left alone) passed through <paramref name="rewrite"/>.</summary>
    public static void RewriteStrings(JsonNode? node, Func<string, string> rewrite)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (o[key] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        o[key] = rewrite(s);
                    }
                    else
                    {
                        RewriteStrings(o[key], rewrite);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        a[i] = rewrite(s);
                    }
                    else
                    {
                        RewriteStrings(a[i], rewrite);
                    }
                }

                break;
        }
    }

    /// <summary>The container definitions of a task definition resource.</summary>
    public static JsonArray Containers(CfnTemplate template, string taskDefinitionId) =>
        template.Resources[taskDefinitionId]!["Properties"]!["ContainerDefinitions"]!.AsArray();

    /// <summary>Sets (or adds) a plain environment variable of a container.</summary>
    public static void SetEnvironment(JsonNode container, string name, JsonNode value)
    {
        var environment = container["Environment"]!.AsArray();
        var existing = environment.FirstOrDefault(e => e!["Name"]!.GetValue<string>() == name);
        if (existing is not null)
        {
            existing["Value"] = value;
        }
        else
        {
            environment.Add(new JsonObject { ["Name"] = name, ["Value"] = value });
        }
    }

    public static void RemoveEnvironment(JsonNode container, string name)
    {
        var environment = container["Environment"]!.AsArray();
        foreach (var entry in environment.Where(e => e!["Name"]!.GetValue<string>() == name).ToList())
        {
            environment.Remove(entry);
        }
    }
}
