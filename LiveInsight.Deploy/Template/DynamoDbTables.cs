using System.Text.Json.Nodes;
using LiveInsight.Core.Storage;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// One table per <see cref="Tables.All"/> entry, translated from the very <c>CreateTableRequest</c> the schema bootstrap
/// sends locally (keys, GSIs, billing), plus what only production has: TTL, encryption, point-in-time recovery,
/// deletion protection and <c>Retain</c>.
/// </summary>
public static class DynamoDbTables
{
    public static string LogicalId(TableDefinition table) => $"{table.LogicalName}Table";

    public static void Add(CfnTemplate template)
    {
        foreach (var table in Tables.All)
        {
            var request = table.ToCreateTableRequest("unused");
            var properties = new JsonObject
            {
                ["TableName"] = Cfn.Sub("${TablePrefix}" + table.LogicalName),
                ["BillingMode"] = request.BillingMode.Value,
                ["AttributeDefinitions"] = new JsonArray(request.AttributeDefinitions
                    .Select(a => (JsonNode?)new JsonObject { ["AttributeName"] = a.AttributeName, ["AttributeType"] = a.AttributeType.Value })
                    .ToArray()),
                ["KeySchema"] = KeySchema(request.KeySchema),
            };
            if (request.GlobalSecondaryIndexes is { Count: > 0 } indexes)
            {
                properties["GlobalSecondaryIndexes"] = new JsonArray(indexes.Select(index => (JsonNode?)new JsonObject
                {
                    ["IndexName"] = index.IndexName,
                    ["KeySchema"] = KeySchema(index.KeySchema),
                    ["Projection"] = new JsonObject { ["ProjectionType"] = index.Projection.ProjectionType.Value },
                }).ToArray());
            }

            if (table.TimeToLiveAttribute is { } ttl)
            {
                properties["TimeToLiveSpecification"] = new JsonObject { ["AttributeName"] = ttl, ["Enabled"] = true };
            }

            properties["SSESpecification"] = new JsonObject { ["SSEEnabled"] = true };
            properties["PointInTimeRecoverySpecification"] = new JsonObject { ["PointInTimeRecoveryEnabled"] = true };
            properties["DeletionProtectionEnabled"] = true;
            var resource = template.Add(LogicalId(table), "AWS::DynamoDB::Table", properties);
            resource["DeletionPolicy"] = "Retain";
            resource["UpdateReplacePolicy"] = "Retain";
        }
    }

    private static JsonArray KeySchema(IEnumerable<Amazon.DynamoDBv2.Model.KeySchemaElement> schema) =>
        new(schema.Select(k => (JsonNode?)new JsonObject { ["AttributeName"] = k.AttributeName, ["KeyType"] = k.KeyType.Value }).ToArray());
}
