using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using LiveInsight.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Tests.Storage;

[CollectionDefinition(nameof(DynaliteCollection))]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteFixture>;

public sealed class DynaliteFixture : IAsyncLifetime
{
    public ExternalProcess Dynalite { get; } = Infrastructure.Dynalite();

    public IAmazonDynamoDB CreateClient() => DynamoDbExtensions.CreateClient($"http://127.0.0.1:{Dynalite.Port}");

    public Task InitializeAsync() => Dynalite.StartAsync();

    public async Task DisposeAsync() => await Dynalite.DisposeAsync();
}

[Collection(nameof(DynaliteCollection))]
public sealed class SchemaBootstrapperTests(DynaliteFixture fixture)
{
    private static StorageOptions UniquePrefix() => new() { TablePrefix = $"t{Guid.NewGuid():N}"[..12] + "-" };

    private SchemaBootstrapper Bootstrapper(IAmazonDynamoDB dynamo, StorageOptions options) =>
        new(dynamo, Options.Create(options), TimeProvider.System, NullLogger<SchemaBootstrapper>.Instance);

    [Fact]
    public async Task Creates_every_table_with_its_keys_and_indexes_under_the_prefix()
    {
        using var dynamo = fixture.CreateClient();
        var options = UniquePrefix();

        await Bootstrapper(dynamo, options).EnsureAsync(CancellationToken.None);

        foreach (var table in Tables.All)
        {
            var description = (await dynamo.DescribeTableAsync(options.TablePrefix + table.LogicalName)).Table;
            Assert.Equal(TableStatus.ACTIVE, description.TableStatus);
            Assert.Equal(table.PartitionKey.Name, description.KeySchema.Single(k => k.KeyType == KeyType.HASH).AttributeName);
            Assert.Equal(table.SortKey?.Name, description.KeySchema.SingleOrDefault(k => k.KeyType == KeyType.RANGE)?.AttributeName);
            var indexNames = description.GlobalSecondaryIndexes?.Select(i => i.IndexName).Order().ToArray() ?? [];
            Assert.Equal(table.Indexes.Select(i => i.Name).Order().ToArray(), indexNames);
        }
    }

    [Fact]
    public async Task Running_twice_is_a_no_op()
    {
        using var dynamo = fixture.CreateClient();
        var options = UniquePrefix();
        var bootstrapper = Bootstrapper(dynamo, options);

        await bootstrapper.EnsureAsync(CancellationToken.None);
        await bootstrapper.EnsureAsync(CancellationToken.None);

        var tables = await ListPrefixedTablesAsync(dynamo, options.TablePrefix);
        Assert.Equal(Tables.All.Count, tables.Count);
    }

    [Fact]
    public async Task Several_replicas_starting_at_once_all_succeed()
    {
        var options = UniquePrefix();
        var clients = Enumerable.Range(0, 4).Select(_ => fixture.CreateClient()).ToList();

        await Task.WhenAll(clients.Select(c => Bootstrapper(c, options).EnsureAsync(CancellationToken.None)));

        var tables = await ListPrefixedTablesAsync(clients[0], options.TablePrefix);
        Assert.Equal(Tables.All.Select(t => options.TablePrefix + t.LogicalName).Order(), tables.Order());
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_table_deleted_by_hand_is_recreated_on_the_next_start()
    {
        using var dynamo = fixture.CreateClient();
        var options = UniquePrefix();
        var bootstrapper = Bootstrapper(dynamo, options);
        await bootstrapper.EnsureAsync(CancellationToken.None);

        await dynamo.DeleteTableAsync(options.TableName(Tables.Stats));
        await bootstrapper.EnsureAsync(CancellationToken.None);

        var description = await dynamo.DescribeTableAsync(options.TableName(Tables.Stats));
        Assert.Equal(TableStatus.ACTIVE, description.Table.TableStatus);
    }

    private static async Task<List<string>> ListPrefixedTablesAsync(IAmazonDynamoDB dynamo, string prefix)
    {
        var names = new List<string>();
        string? start = null;
        do
        {
            var page = await dynamo.ListTablesAsync(new ListTablesRequest { ExclusiveStartTableName = start });
            names.AddRange(page.TableNames ?? []);
            start = page.LastEvaluatedTableName;
        }
        while (start is not null);

        return names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }
}
