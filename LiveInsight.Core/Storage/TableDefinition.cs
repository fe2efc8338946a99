using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace LiveInsight.Core.Storage;

public sealed record KeyAttribute(string Name, ScalarAttributeType Type)
{
    public static KeyAttribute String(string name) => new(name, ScalarAttributeType.S);
    public static KeyAttribute Number(string name) => new(name, ScalarAttributeType.N);
}

public sealed record IndexDefinition(string Name, KeyAttribute PartitionKey, KeyAttribute? SortKey = null);

/// <summary>
/// One DynamoDB table as LiveInsight needs it. The schema bootstrap and the ECS CloudFormation generator
/// both read these, so local tables and production tables cannot drift apart.
/// </summary>
public sealed record TableDefinition(
    string LogicalName,
    KeyAttribute PartitionKey,
    KeyAttribute? SortKey,
    IReadOnlyList<IndexDefinition> Indexes,
    string? TimeToLiveAttribute)
{
    public IEnumerable<KeyAttribute> AttributeDefinitions =>
        new[] { PartitionKey, SortKey }
            .Concat(Indexes.SelectMany(index => new[] { index.PartitionKey, index.SortKey }))
            .OfType<KeyAttribute>()
            .DistinctBy(attribute => attribute.Name);

    public CreateTableRequest ToCreateTableRequest(string physicalName) => new()
    {
        TableName = physicalName,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions = AttributeDefinitions
            .Select(attribute => new AttributeDefinition(attribute.Name, attribute.Type))
            .ToList(),
        KeySchema = KeySchema(PartitionKey, SortKey),
        GlobalSecondaryIndexes = Indexes.Count == 0
            ? null
            : Indexes.Select(index => new GlobalSecondaryIndex
            {
                IndexName = index.Name,
                KeySchema = KeySchema(index.PartitionKey, index.SortKey),
                Projection = new Projection { ProjectionType = ProjectionType.ALL },
            }).ToList(),
    };

    private static List<KeySchemaElement> KeySchema(KeyAttribute partitionKey, KeyAttribute? sortKey)
    {
        var schema = new List<KeySchemaElement> { new(partitionKey.Name, KeyType.HASH) };
        if (sortKey is not null)
        {
            schema.Add(new KeySchemaElement(sortKey.Name, KeyType.RANGE));
        }

        return schema;
    }
}
