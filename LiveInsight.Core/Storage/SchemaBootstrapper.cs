using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Storage;

/// <summary>
/// Creates every table of <see cref="Tables"/> that is missing, waits until each is ACTIVE and turns TTL on.
/// Idempotent and safe when several replicas run it at once: "already exists" is success, not an error.
/// It looks before it creates: in AWS the tables come from the CloudFormation template (LiveInsight.Deploy) and the
/// task roles have no <c>dynamodb:CreateTable</c>, so there the bootstrap only finds them ACTIVE.
/// </summary>
public sealed partial class SchemaBootstrapper(
    IAmazonDynamoDB dynamo,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<SchemaBootstrapper> logger)
{
    private static readonly TimeSpan ActivePollInterval = TimeSpan.FromMilliseconds(200);

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        foreach (var table in Tables.All)
        {
            var name = options.Value.TableName(table);
            await CreateIfMissingAsync(table, name, cancellationToken);
            await WaitUntilActiveAsync(name, cancellationToken);
            await EnableTimeToLiveAsync(table, name, cancellationToken);
        }
    }

    private async Task CreateIfMissingAsync(TableDefinition table, string name, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.DescribeTableAsync(name, cancellationToken);
            return;
        }
        catch (ResourceNotFoundException)
        {
            // Missing: create it below.
        }

        try
        {
            await dynamo.CreateTableAsync(table.ToCreateTableRequest(name), cancellationToken);
            LogTableCreated(name);
        }
        catch (ResourceInUseException)
        {
            // Exists already, or another replica is creating it right now: both end in WaitUntilActive.
        }
    }

    private async Task WaitUntilActiveAsync(string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            var description = await dynamo.DescribeTableAsync(name, cancellationToken);
            if (description.Table.TableStatus == TableStatus.ACTIVE)
            {
                return;
            }

            await Task.Delay(ActivePollInterval, time, cancellationToken);
        }
    }

    private async Task EnableTimeToLiveAsync(TableDefinition table, string name, CancellationToken cancellationToken)
    {
        if (table.TimeToLiveAttribute is null)
        {
            return;
        }

        try
        {
            await dynamo.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = name,
                TimeToLiveSpecification = new TimeToLiveSpecification
                {
                    AttributeName = table.TimeToLiveAttribute,
                    Enabled = true,
                },
            }, cancellationToken);
        }
        catch (AmazonDynamoDBException e) when (e.ErrorCode == "UnknownOperationException")
        {
            // dynalite has no TTL API; readers filter expired items themselves (expires_at > now).
            LogTimeToLiveUnsupported(name);
        }
        catch (AmazonDynamoDBException e) when (e.Message.Contains("already enabled", StringComparison.OrdinalIgnoreCase))
        {
            // Another replica (or an earlier start) turned it on.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created DynamoDB table {TableName}")]
    private partial void LogTableCreated(string tableName);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "DynamoDB endpoint has no TTL API; table {TableName} relies on read-side expiry filtering")]
    private partial void LogTimeToLiveUnsupported(string tableName);
}
