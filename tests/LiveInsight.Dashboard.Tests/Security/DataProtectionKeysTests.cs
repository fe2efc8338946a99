using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>The Dashboard's Data Protection keys live in DynamoDB (<see cref="DataProtectionKeys"/>): what the running
/// Dashboard protects (its sign-in cookies, its form tokens), a second replica or a restarted one unprotects with keys it
/// reads from the same table, with nothing of its own on disk.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class DataProtectionKeysTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Another_replica_reading_the_same_table_unprotects_what_the_dashboard_protected()
    {
        var running = fixture.DashboardServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("replica-test");
        var ticket = running.Protect("a sign-in ticket");

        // A second replica: its own container, the same DynamoDB table, no key of its own.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(fixture.DashboardServices.GetRequiredService<IAmazonDynamoDB>());
        services.AddSingleton(fixture.DashboardServices.GetRequiredService<IOptions<StorageOptions>>());
        services.AddSharedDataProtection();
        await using var replica = services.BuildServiceProvider();

        Assert.Equal("a sign-in ticket", replica.GetRequiredService<IDataProtectionProvider>().CreateProtector("replica-test").Unprotect(ticket));

        // The keys are one item of the Users table, which the member and user scans skip (it is not a person).
        var storage = fixture.DashboardServices.GetRequiredService<IOptions<StorageOptions>>().Value;
        var item = await fixture.DashboardServices.GetRequiredService<IAmazonDynamoDB>().GetItemAsync(new GetItemRequest
        {
            TableName = storage.TableName(Tables.Users),
            Key = new() { ["email"] = new AttributeValue { S = DataProtectionKeys.ItemKey } },
            ConsistentRead = true,
        });
        var keys = item.Item[DataProtectionKeys.KeysAttribute].M;
        Assert.NotEmpty(keys);
        Assert.All(keys.Values, k => Assert.StartsWith("<key ", k.S, StringComparison.Ordinal));
        Assert.False(item.Item.ContainsKey("password_hash"));
    }
}
