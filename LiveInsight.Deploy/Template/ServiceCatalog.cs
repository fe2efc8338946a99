using LiveInsight.Core.Storage;

namespace LiveInsight.Deploy.Template;

/// <summary>What a service may do to one table. Actions are DynamoDB IAM action names without the prefix.</summary>
public sealed record TableGrant(TableDefinition Table, params string[] Actions);

/// <summary>How the ALB reaches a service: a listener rule (priority, path patterns) to its target group.</summary>
public sealed record PublicRoute(int Priority, string[] Paths);

/// <summary>Everything ECS needs to know about one manifest project that the manifest itself does not say.</summary>
public sealed record ServiceSpec(
    string Name,
    int Cpu,
    int Memory,
    int DesiredCount,
    IReadOnlyList<PublicRoute> Routes,
    IReadOnlyList<TableGrant> Grants,
    bool RunsSchemaBootstrap,
    bool TrustsLoadBalancer,
    bool ServiceConnectServer,
    bool MetricsSidecar,
    bool ContainerHealthCheck)
{
    public string Id => char.ToUpperInvariant(Name[0]) + Name[1..];

    /// <summary>The setting that receives the VPC CIDR when <see cref="TrustsLoadBalancer"/> (a list: index 0 is set).</summary>
    public string TrustedProxiesSetting { get; init; } = "LiveInsight__Ingestion__TrustedProxies";

    public bool UsesStorage => Grants.Count > 0;

    /// <summary>Every grant, including what the schema bootstrap and the DynamoDB health check need.</summary>
    public IEnumerable<TableGrant> AllGrants => RunsSchemaBootstrap
        ? Grants.Concat(Tables.All.Select(table => table.TimeToLiveAttribute is null
            ? new TableGrant(table, "DescribeTable")
            : new TableGrant(table, "DescribeTable", "UpdateTimeToLive")))
        : Grants;
}

/// <summary>
/// The services LiveInsight runs on ECS. Task sizes, routes and table access live here; environment comes from the
/// manifest. A manifest project missing from this list stops the generator, so a new service cannot be left out.
/// </summary>
public static class ServiceCatalog
{
    public const int ContainerPort = 8080;

    /// <summary>Read API paths the ALB sends to the Api. They are public (secret-key or admin-token auth) because the
    /// HTTP contract in ARCHITECTURE.md is meant for site owners' own scripts, not only for the dashboard.</summary>
    public static readonly string[] ReadApiPaths = ["/api/realtime/*", "/api/stats/*", "/api/v2/*", "/api/sites", "/api/sites/*", "/api/unsubscribe"];

    /// <summary>The tracker script and ingestion, ours and the Plausible (<c>/api/event</c>) and Umami (<c>/api/send</c>)
    /// compatible endpoints.</summary>
    public static readonly string[] IngestPaths = ["/liveinsight.js", "/api/events", "/api/event", "/api/send"];

    public static readonly ServiceSpec Api = new(
        "api", Cpu: 512, Memory: 1024, DesiredCount: 2,
        Routes: [new PublicRoute(10, IngestPaths), new PublicRoute(20, ReadApiPaths)],
        Grants:
        [
            // Sites: create, list (Scan), look up by id and by public/secret key (GSIs); revoking retired keys early
            // deletes their alias items.
            new TableGrant(Tables.Sites, "GetItem", "PutItem", "Query", "Scan", "DeleteItem"),
            // Stats: a dimension's range is one Query, chosen values one BatchGetItem; imports of Plausible's and Umami's
            // history (and the demo) write and delete day items marked with their import id, and their own records.
            new TableGrant(Tables.Stats, "Query", "BatchGetItem", "GetItem", "PutItem", "DeleteItem", "BatchWriteItem"),
            // Audit: site changes made through the admin API are recorded here.
            new TableGrant(Tables.Audit, "PutItem"),
            // Alerts: rules and report recipients (count, list, replace, delete), the delivery log, unsubscribes and
            // the claims that send each report once (a conditional put, deleted again when the send fails).
            new TableGrant(Tables.Alerts, "GetItem", "PutItem", "Query", "DeleteItem"),
        ],
        RunsSchemaBootstrap: true, TrustsLoadBalancer: true, ServiceConnectServer: true, MetricsSidecar: false,
        ContainerHealthCheck: false);

    public static readonly ServiceSpec Aggregator = new(
        "aggregator", Cpu: 512, Memory: 1024, DesiredCount: 1,
        Routes: [],
        Grants:
        [
            // Sites: time zones by id; the alert evaluator lists every site once a minute (Scan).
            new TableGrant(Tables.Sites, "GetItem", "Scan"),
            new TableGrant(Tables.Events, "BatchWriteItem"),
            new TableGrant(Tables.Sessions, "BatchWriteItem"),
            // Stats: the flusher's writes; the alert evaluator reads an hour no longer in Redis (a baseline).
            new TableGrant(Tables.Stats, "BatchWriteItem", "GetItem"),
            // Alerts: rules (Query), unsubscribed addresses (GetItem), the delivery log (PutItem).
            new TableGrant(Tables.Alerts, "GetItem", "PutItem", "Query"),
        ],
        RunsSchemaBootstrap: true, TrustsLoadBalancer: false, ServiceConnectServer: false, MetricsSidecar: true,
        ContainerHealthCheck: true);

    public static readonly ServiceSpec Dashboard = new(
        "dashboard", Cpu: 256, Memory: 512, DesiredCount: 1,
        Routes: [new PublicRoute(100, ["/*"])],
        Grants:
        [
            // Dashboard accounts: read at sign-in, written by the first-admin setup and by admins; UpdateItem counts
            // failed logins (lockout) and changes site memberships; Scan lists a site's members and all users (a
            // small table of people); DeleteItem consumes one-time invites and replaces or revokes public share links
            // (share#…, site-share#… items).
            new TableGrant(Tables.Users, "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Scan"),
            // Audit: user and access changes are recorded; owners read their sites' entries.
            new TableGrant(Tables.Audit, "PutItem", "Query"),
        ],
        // The ALB's X-Forwarded-For gives the client address the audit log records (masked).
        RunsSchemaBootstrap: true, TrustsLoadBalancer: true, ServiceConnectServer: false, MetricsSidecar: false,
        ContainerHealthCheck: false)
    {
        TrustedProxiesSetting = "LiveInsight__Dashboard__TrustedProxies",
    };

    public static IReadOnlyList<ServiceSpec> All { get; } = [Api, Aggregator, Dashboard];

    public static ServiceSpec For(string projectName) =>
        All.FirstOrDefault(spec => spec.Name == projectName)
        ?? throw new InvalidOperationException(
            $"The manifest has a project '{projectName}' that LiveInsight.Deploy does not know: add it to ServiceCatalog (task size, routes, table access).");
}
