namespace LiveInsight.Core.Storage;

/// <summary>
/// Every table LiveInsight stores, in one place. Keys always carry the site id (multi-site from day one).
/// GSIs are declared here because DynamoDB Local/dynalite cannot add one to an existing table.
/// </summary>
public static class Tables
{
    /// <summary>Sites and their keys. Looked up by public key (ingestion) and by secret-key hash (read API).</summary>
    public static readonly TableDefinition Sites = new(
        "Sites",
        KeyAttribute.String("site_id"),
        SortKey: null,
        [
            new IndexDefinition("public_key-index", KeyAttribute.String("public_key")),
            new IndexDefinition("secret_key_hash-index", KeyAttribute.String("secret_key_hash")),
        ],
        // Only the aliases of retired keys expire (SiteRepository.RetireKeysAsync); sites themselves have no expires_at.
        TimeToLiveAttribute: "expires_at");

    /// <summary>Raw events: pk <c>{site_id}#{session_id}</c>, sk <c>{timestamp:D13}#{event_id}</c> (deterministic, so a
    /// redelivered event overwrites itself). Kept for the retention period through <c>expires_at</c>.</summary>
    public static readonly TableDefinition Events = new(
        "Events",
        KeyAttribute.String("pk"),
        KeyAttribute.String("sk"),
        [new IndexDefinition("site_day-index", KeyAttribute.String("site_day"), KeyAttribute.String("sk"))],
        TimeToLiveAttribute: "expires_at");

    /// <summary>One item per session: pk <c>site_id</c>, sk <c>session_id</c>.</summary>
    public static readonly TableDefinition Sessions = new(
        "Sessions",
        KeyAttribute.String("site_id"),
        KeyAttribute.String("session_id"),
        [new IndexDefinition("last_seen-index", KeyAttribute.String("site_id"), KeyAttribute.Number("last_seen"))],
        TimeToLiveAttribute: "expires_at");

    /// <summary>Rollups: pk <c>{site_id}#{granularity}#{dimension}</c>, sk <c>{bucket}#{value}</c>, so any date range of
    /// one dimension is a single Query.</summary>
    public static readonly TableDefinition Stats = new(
        "Stats",
        KeyAttribute.String("pk"),
        KeyAttribute.String("sk"),
        [],
        TimeToLiveAttribute: null);

    /// <summary>Dashboard users: pk <c>email</c> (lower case); the password only as a PasswordHasher hash.</summary>
    public static readonly TableDefinition Users = new(
        "Users",
        KeyAttribute.String("email"),
        SortKey: null,
        [],
        TimeToLiveAttribute: null);

    /// <summary>Audit log of administrative actions: pk <c>site_id</c> (<see cref="Audit.AuditLog.Installation"/> for
    /// actions on no one site), sk <c>{utc time, ISO 8601}#{random}</c>, newest last. Who, what, when and the masked
    /// address only; kept about 13 months through <c>expires_at</c>.</summary>
    public static readonly TableDefinition Audit = new(
        "Audit",
        KeyAttribute.String("site_id"),
        KeyAttribute.String("sk"),
        [],
        TimeToLiveAttribute: "expires_at");

    /// <summary>Alert rules, report recipients, the delivery log, unsubscribed addresses and report send claims of one
    /// site: pk <c>site_id</c>, sk <c>{kind}#…</c> (see <see cref="Alerts.AlertRepository"/>). Log entries and claims expire.</summary>
    public static readonly TableDefinition Alerts = new(
        "Alerts",
        KeyAttribute.String("site_id"),
        KeyAttribute.String("sk"),
        [],
        TimeToLiveAttribute: "expires_at");

    public static IReadOnlyList<TableDefinition> All { get; } = [Sites, Events, Sessions, Stats, Users, Audit, Alerts];
}
