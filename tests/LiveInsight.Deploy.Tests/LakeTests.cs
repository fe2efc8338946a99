using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LiveInsight.Core.Lake;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>The event lake in AWS: the bucket and its lifecycle by file kind, the Glue table over the same hive layout,
/// the services' settings and their least-privilege S3 grants.</summary>
[Collection(TemplateCollection.Name)]
public sealed partial class LakeTests(TemplateFixture fixture)
{
    [Fact]
    public void The_bucket_is_private_encrypted_retained_and_expires_parts_and_compacted_days_by_their_tag()
    {
        var bucket = fixture.Resource(Lake.BucketId);
        var properties = bucket["Properties"]!;
        Assert.Equal("AWS::S3::Bucket", bucket["Type"]!.GetValue<string>());
        Assert.Equal("Retain", bucket["DeletionPolicy"]!.GetValue<string>());
        Assert.Equal("Retain", bucket["UpdateReplacePolicy"]!.GetValue<string>());
        Assert.Equal("AES256", properties["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.GetValue<string>());
        var block = properties["PublicAccessBlockConfiguration"]!.AsObject();
        AssertNames("PublicAccessBlockConfiguration", block);
        Assert.Equal(4, block.Count);
        Assert.All(block, p => Assert.True(p.Value!.GetValue<bool>(), p.Key));

        var rules = properties["LifecycleConfiguration"]!["Rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        foreach (var rule in rules)
        {
            AssertNames("LifecycleRule", rule);
            Assert.Equal("Enabled", rule["Status"]!.GetValue<string>());
        }

        var byKind = rules.Where(r => r["TagFilters"] is not null).ToDictionary(
            r => (Key: r["TagFilters"]![0]!["Key"]!.GetValue<string>(), Value: r["TagFilters"]![0]!["Value"]!.GetValue<string>()),
            r => r["ExpirationInDays"]!["Ref"]!.GetValue<string>());
        Assert.Equal("LakePartExpirationDays", byKind[(LakeLayout.FileKindTag, LakeLayout.PartKind)]);
        Assert.Equal("LakeRetentionDays", byKind[(LakeLayout.FileKindTag, LakeLayout.CompactKind)]);
        Assert.Equal(2, byKind.Count);
        Assert.Equal("2", fixture.Template["Parameters"]!["LakePartExpirationDays"]!["Default"]!.GetValue<string>());
        Assert.Single(rules, r => r["AbortIncompleteMultipartUpload"] is not null && r["Prefix"]!.GetValue<string>() == Lake.KeyPrefix);

        // The writer tags what it puts with exactly these values.
        Assert.Equal(LakeLayout.PartKind, LakeLayout.FileKind(LakeLayout.PartFile("1-0", "2-0", "w")));
        Assert.Equal(LakeLayout.CompactKind, LakeLayout.FileKind(LakeLayout.CompactFile));
    }

    [Fact]
    public void The_glue_table_has_the_lakes_columns_in_order_and_projects_the_site_and_day_partitions_onto_the_writers_keys()
    {
        var database = fixture.Properties(Lake.DatabaseId);
        AssertNames("DatabaseInput", database["DatabaseInput"]!.AsObject());
        Assert.Equal("LakeGlueDatabase", database["DatabaseInput"]!["Name"]!["Ref"]!.GetValue<string>());

        var table = fixture.Properties(Lake.TableId);
        Assert.Equal(Lake.DatabaseId, table["DatabaseName"]!["Ref"]!.GetValue<string>());
        var input = table["TableInput"]!.AsObject();
        AssertNames("TableInput", input);
        var storage = input["StorageDescriptor"]!.AsObject();
        AssertNames("StorageDescriptor", storage);
        Assert.Equal(LakeLayout.EventsTable, input["Name"]!.GetValue<string>());
        Assert.Equal("EXTERNAL_TABLE", input["TableType"]!.GetValue<string>());
        var columns = storage["Columns"]!.AsArray().Select(c => (c!["Name"]!.GetValue<string>(), c["Type"]!.GetValue<string>())).ToList();
        Assert.Equal(LakeLayout.EventColumns.Concat(LakeLayout.CompactColumns).Select(c => (c.Name, Lake.GlueType(c.Type))), columns);
        Assert.Contains(("props", "map<string,string>"), columns);
        Assert.Equal([(LakeLayout.SiteColumn, "string"), (LakeLayout.DayColumn, "string")],
            input["PartitionKeys"]!.AsArray().Select(c => (c!["Name"]!.GetValue<string>(), c["Type"]!.GetValue<string>())));
        Assert.Equal("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", storage["SerdeInfo"]!["SerializationLibrary"]!.GetValue<string>());

        var parameters = input["Parameters"]!;
        Assert.Equal("true", parameters["projection.enabled"]!.GetValue<string>());
        Assert.Equal("injected", parameters["projection.site.type"]!.GetValue<string>());
        Assert.Equal("date", parameters["projection.day.type"]!.GetValue<string>());
        Assert.Equal("yyyy-MM-dd", parameters["projection.day.format"]!.GetValue<string>());
        Assert.Equal("s3://${LakeBucket}/lake/events/", storage["Location"]!["Fn::Sub"]!.GetValue<string>());

        // The location template, filled in as Athena does, is the folder of the keys the writer puts.
        var template = parameters["storage.location.template"]!["Fn::Sub"]!.GetValue<string>();
        var key = LakeLayout.FileKey("abcDEF123456", new DateOnly(2026, 11, 30), LakeLayout.CompactFile);
        var filled = template.Replace("${!site}", "abcDEF123456", StringComparison.Ordinal).Replace("${!day}", "2026-11-30", StringComparison.Ordinal);
        Assert.Equal($"s3://${{LakeBucket}}/{Lake.KeyPrefix}{key[..(key.LastIndexOf('/') + 1)]}", filled);
    }

    [Fact]
    public void Api_and_aggregator_get_the_bucket_and_a_tmp_working_folder_and_the_lake_is_no_longer_off()
    {
        foreach (var spec in new[] { ServiceCatalog.Api, ServiceCatalog.Aggregator })
        {
            var environment = fixture.Environment(spec);
            Assert.Equal(Lake.BucketId, environment["Lake__S3__Bucket"]["Ref"]!.GetValue<string>());
            Assert.Equal(Lake.KeyPrefix, environment["Lake__S3__Prefix"].GetValue<string>());
            Assert.Equal(Lake.WorkingFolder, environment["Lake__Path"].GetValue<string>());
            Assert.DoesNotContain("Lake__Enabled", environment.Keys);
        }

        Assert.DoesNotContain(fixture.Environment(ServiceCatalog.Dashboard).Keys, k => k.StartsWith("Lake__", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_role_may_list_the_lake_prefix_and_do_only_its_own_object_actions_there()
    {
        foreach (var spec in ServiceCatalog.All)
        {
            var s3 = Statements(Iam.TaskRoleId(spec)).Where(s => Strings(s["Action"]).Any(a => a.StartsWith("s3:", StringComparison.Ordinal))).ToList();
            if (!Lake.ObjectActions.TryGetValue(spec.Name, out var actions))
            {
                Assert.Empty(s3);
                continue;
            }

            Assert.Equal(2, s3.Count);
            var list = Assert.Single(s3, s => Strings(s["Action"]).SequenceEqual(["s3:ListBucket"]));
            Assert.Equal(Lake.BucketId, list["Resource"]![0]!["Fn::GetAtt"]![0]!.GetValue<string>());
            Assert.Equal([Lake.KeyPrefix + "*"], Strings(list["Condition"]!["StringLike"]!["s3:prefix"]));
            var objects = Assert.Single(s3, s => s != list);
            Assert.Equal(actions.Order(), Strings(objects["Action"]).Order());
            Assert.Equal($"${{{Lake.BucketId}.Arn}}/{Lake.KeyPrefix}*", Assert.Single(objects["Resource"]!.AsArray())!["Fn::Sub"]!.GetValue<string>());
        }

        // The Api erases (rewrites) and deletes lake files itself (LifecycleApi: UserErasure, SitePurge): without Put and
        // Delete, an erasure or a site deletion through the Api failed in AWS with AccessDenied.
        Assert.Equal(Lake.ObjectActions[ServiceCatalog.Aggregator.Name].Order(), Lake.ObjectActions[ServiceCatalog.Api.Name].Order());
    }

    /// <summary>Every S3 call the lake store makes maps to an action the aggregator and the Api (which both make them
    /// all) are granted.</summary>
    [Fact]
    public void Every_S3_call_of_the_lake_store_is_granted()
    {
        var source = File.ReadAllText(Path.Combine(TemplateFixture.RepositoryRoot, "LiveInsight.Core", "Lake", "LakeStore.cs"));
        var calls = S3Call().Matches(source).Select(m => m.Groups[1].Value).ToHashSet();
        var action = new Dictionary<string, string>
        {
            ["ListObjectsV2"] = "s3:ListBucket",
            ["PutObject"] = "s3:PutObject",
            ["PutObjectTagging"] = "s3:PutObjectTagging",
            ["GetObject"] = "s3:GetObject",
            ["DeleteObjects"] = "s3:DeleteObject",
        };
        Assert.Equal(action.Keys.Order(), calls.Order());
        Assert.Equal(action.Values.Where(a => a != "s3:ListBucket").Order(), Lake.ObjectActions[ServiceCatalog.Aggregator.Name].Order());
    }

    [GeneratedRegex(@"\bs3\.(\w+)Async\(")]
    private static partial Regex S3Call();

    private static void AssertNames(string kind, JsonObject node)
    {
        foreach (var property in node)
        {
            Assert.True(CloudFormationSchema.Nested[kind].Contains(property.Key), $"{kind} has unknown property {property.Key}");
        }
    }

    private IEnumerable<JsonObject> Statements(string roleId) =>
        (fixture.Properties(roleId)["Policies"]?.AsArray() ?? [])
        .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
        .Select(s => s!.AsObject());

    private static string[] Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
}
