using System.Text.Json.Nodes;
using LiveInsight.Core.Lake;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// The event lake in AWS: one private, encrypted S3 bucket holding <see cref="LakeLayout"/>'s hive layout under
/// <see cref="KeyPrefix"/>, with lifecycle rules by the <see cref="LakeLayout.FileKindTag"/> tag (parts are merged
/// within minutes, so a part still there after <c>LakePartExpirationDays</c> is a leftover; compact files live
/// <c>LakeRetentionDays</c>), and a Glue database and table over the same files (partition projection on site and
/// day) so Amazon Athena can query the lake when one Api task is not enough. The aggregator writes the bucket, the Api
/// reads it; each task role gets only those S3 actions on this bucket's lake prefix.
/// </summary>
public static class Lake
{
    public const string BucketId = "LakeBucket";
    public const string DatabaseId = "LakeDatabase";
    public const string TableId = "LakeEventsTable";

    /// <summary>Every key of the lake starts with this (<c>Lake:S3:Prefix</c>).</summary>
    public const string KeyPrefix = "lake/";

    /// <summary>Where a task keeps its working files (the writer's temp files, the Api's cache of downloaded files):
    /// the container's writable scratch space. Set by the AppHost's publish mode (<c>Lake__Path</c>).</summary>
    public const string WorkingFolder = "/tmp/lake";

    /// <summary>The services that use the lake and the S3 object actions each needs (listing is granted apart, on
    /// the bucket with a prefix condition). The aggregator writes parts, reads them back to compact, deletes merged
    /// parts; the Api only lists and reads.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ObjectActions = new Dictionary<string, string[]>
    {
        [ServiceCatalog.Aggregator.Name] = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
        // The Api rewrites lake files (an identified user's erasure) and deletes them (site deletion, reset, period
        // erasure, with their day sums), under the same tags as the aggregator's writes.
        [ServiceCatalog.Api.Name] = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
    };

    public static void AddParameters(CfnTemplate template)
    {
        template.Parameter("LakePartExpirationDays", "Number",
            "Days after which a lake part file still in S3 is deleted (compaction merges parts within minutes; keep above the longest compaction outage you would recover from).",
            "2", p => p["MinValue"] = 1);
        template.Parameter("LakeRetentionDays", "Number", "Days a compacted day of events is kept in the lake (Athena and /api/v2/query read nothing older).",
            "730", p => p["MinValue"] = 1);
        template.Parameter("LakeGlueDatabase", "String", "Glue database (Athena schema) over the lake.", "liveinsight_lake",
            p => p["AllowedPattern"] = "^[a-z0-9_]{1,200}$");
    }

    public static void Add(CfnTemplate template)
    {
        AddParameters(template);
        var bucket = template.Add(BucketId, "AWS::S3::Bucket", new JsonObject
        {
            ["BucketEncryption"] = new JsonObject
            {
                ["ServerSideEncryptionConfiguration"] = Cfn.Array(new JsonObject
                {
                    ["ServerSideEncryptionByDefault"] = new JsonObject { ["SSEAlgorithm"] = "AES256" },
                }),
            },
            ["PublicAccessBlockConfiguration"] = new JsonObject
            {
                ["BlockPublicAcls"] = true, ["BlockPublicPolicy"] = true, ["IgnorePublicAcls"] = true, ["RestrictPublicBuckets"] = true,
            },
            ["OwnershipControls"] = new JsonObject { ["Rules"] = Cfn.Array(new JsonObject { ["ObjectOwnership"] = "BucketOwnerEnforced" }) },
            ["LifecycleConfiguration"] = new JsonObject
            {
                ["Rules"] = Cfn.Array(
                    ExpireByKind("expire-leftover-parts", LakeLayout.PartKind, "LakePartExpirationDays"),
                    ExpireByKind("expire-compacted-days", LakeLayout.CompactKind, "LakeRetentionDays"),
                    new JsonObject
                    {
                        ["Id"] = "abort-incomplete-uploads",
                        ["Status"] = "Enabled",
                        ["Prefix"] = KeyPrefix,
                        ["AbortIncompleteMultipartUpload"] = new JsonObject { ["DaysAfterInitiation"] = 1 },
                    }),
            },
        });
        // The events are the product's data: the bucket outlives the stack, as the tables do.
        bucket["DeletionPolicy"] = "Retain";
        bucket["UpdateReplacePolicy"] = "Retain";

        template.Add(DatabaseId, "AWS::Glue::Database", new JsonObject
        {
            ["CatalogId"] = Cfn.Ref("AWS::AccountId"),
            ["DatabaseInput"] = new JsonObject
            {
                ["Name"] = Cfn.Ref("LakeGlueDatabase"),
                ["Description"] = "LiveInsight's event lake (Parquet in S3): one row per accepted event; dedupe by event_id.",
            },
        });

        var location = $"s3://${{{BucketId}}}/{KeyPrefix}{LakeLayout.EventsTable}/";
        template.Add(TableId, "AWS::Glue::Table", new JsonObject
        {
            ["CatalogId"] = Cfn.Ref("AWS::AccountId"),
            ["DatabaseName"] = Cfn.Ref(DatabaseId),
            ["TableInput"] = new JsonObject
            {
                ["Name"] = LakeLayout.EventsTable,
                ["TableType"] = "EXTERNAL_TABLE",
                ["Parameters"] = new JsonObject
                {
                    ["classification"] = "parquet",
                    ["EXTERNAL"] = "TRUE",
                    // Partition projection: no crawler, no partition list to keep; a query names its site (injected)
                    // and is pruned to its days.
                    ["projection.enabled"] = "true",
                    [$"projection.{LakeLayout.SiteColumn}.type"] = "injected",
                    [$"projection.{LakeLayout.DayColumn}.type"] = "date",
                    [$"projection.{LakeLayout.DayColumn}.format"] = "yyyy-MM-dd",
                    [$"projection.{LakeLayout.DayColumn}.range"] = "2024-01-01,NOW+1DAYS",
                    [$"projection.{LakeLayout.DayColumn}.interval"] = "1",
                    [$"projection.{LakeLayout.DayColumn}.interval.unit"] = "DAYS",
                    ["storage.location.template"] = Cfn.Sub(
                        $"{location}{LakeLayout.SiteColumn}=${{!{LakeLayout.SiteColumn}}}/{LakeLayout.DayColumn}=${{!{LakeLayout.DayColumn}}}/"),
                },
                ["PartitionKeys"] = Cfn.Array(Column(LakeLayout.SiteColumn, "string"), Column(LakeLayout.DayColumn, "string")),
                ["StorageDescriptor"] = new JsonObject
                {
                    ["Columns"] = new JsonArray(LakeLayout.EventColumns.Concat(LakeLayout.CompactColumns).Select(c => (JsonNode?)Column(c.Name, GlueType(c.Type))).ToArray()),
                    ["Location"] = Cfn.Sub(location),
                    ["InputFormat"] = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    ["OutputFormat"] = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    ["SerdeInfo"] = new JsonObject { ["SerializationLibrary"] = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
                },
            },
        });
        template.Output("LakeBucketName", "The event lake's S3 bucket (keys under lake/events/site=…/day=…/).", Cfn.Ref(BucketId));
        template.Output("LakeGlueTable", "The Athena table over the lake: <database>.events.", Cfn.Sub($"${{{DatabaseId}}}.{LakeLayout.EventsTable}"));
    }

    /// <summary>The lake's settings for a service that uses it (the bucket is known only to CloudFormation).</summary>
    public static IEnumerable<EnvironmentEntry> Environment(ServiceSpec spec) => ObjectActions.ContainsKey(spec.Name)
        ?
        [
            new EnvironmentEntry("Lake__S3__Bucket", Cfn.Ref(BucketId), IsSecret: false),
            new EnvironmentEntry("Lake__S3__Prefix", JsonValue.Create(KeyPrefix), IsSecret: false),
        ]
        : [];

    /// <summary>The task role's statements for the lake: list the bucket under the prefix, and the service's object
    /// actions on the prefix's objects.</summary>
    public static IEnumerable<JsonObject> Statements(ServiceSpec spec)
    {
        if (!ObjectActions.TryGetValue(spec.Name, out var actions))
        {
            yield break;
        }

        var list = Cfn.Statement(["s3:ListBucket"], Cfn.Array(Cfn.GetAtt(BucketId, "Arn")));
        list["Condition"] = new JsonObject
        {
            ["StringLike"] = new JsonObject { ["s3:prefix"] = Cfn.Strings(KeyPrefix + "*") },
        };
        yield return list;
        yield return Cfn.Statement(actions, Cfn.Array(Cfn.Sub($"${{{BucketId}.Arn}}/{KeyPrefix}*")));
    }

    /// <summary>The Glue (Hive) type of a lake column's DuckDB type.</summary>
    public static string GlueType(string duckDbType) => duckDbType switch
    {
        "VARCHAR" => "string",
        "BIGINT" => "bigint",
        "INTEGER" => "int",
        "TIMESTAMP" => "timestamp",
        "MAP(VARCHAR, VARCHAR)" => "map<string,string>",
        _ => throw new InvalidOperationException($"No Glue type for the lake's DuckDB type '{duckDbType}': add it to Lake.GlueType."),
    };

    private static JsonObject Column(string name, string type) => new() { ["Name"] = name, ["Type"] = type };

    private static JsonObject ExpireByKind(string id, string kind, string daysParameter) => new()
    {
        ["Id"] = id,
        ["Status"] = "Enabled",
        ["TagFilters"] = Cfn.Array(new JsonObject { ["Key"] = LakeLayout.FileKindTag, ["Value"] = kind }),
        ["ExpirationInDays"] = Cfn.Ref(daysParameter),
    };
}
