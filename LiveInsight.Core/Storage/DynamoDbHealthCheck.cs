using Amazon.DynamoDBv2;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Storage;

/// <summary>Ready when the schema bootstrap has finished and DynamoDB answers a cheap DescribeTable.</summary>
public sealed class DynamoDbHealthCheck(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options, SchemaState state)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.IsReady)
        {
            return HealthCheckResult.Unhealthy("DynamoDB schema bootstrap has not finished");
        }

        try
        {
            await dynamo.DescribeTableAsync(options.Value.TableName(Tables.Sites), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("DynamoDB did not answer", e);
        }
    }
}
