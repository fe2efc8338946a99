using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace LiveInsight.Core.Lifecycle;

/// <summary>
/// Deleting many items: Query the keys (a partition, a range of it, or an index), then BatchWriteItem deletes of 25,
/// retrying what DynamoDB leaves unprocessed with a growing pause. Every step is idempotent, so a crash half way is
/// finished by running it again.
/// </summary>
public sealed class DynamoDeletes(IAmazonDynamoDB dynamo, TimeProvider time)
{
    private const int MaxBatchItems = 25;
    private const int MaxAttempts = 8;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);

    public IAmazonDynamoDB Client => dynamo;

    /// <summary>Deletes every item the query finds (its key attributes <paramref name="keyNames"/>); returns how many.</summary>
    public async Task<long> DeleteQueriedAsync(QueryRequest query, IReadOnlyList<string> keyNames, CancellationToken cancellationToken)
    {
        query.ProjectionExpression = string.Join(", ", keyNames.Select((_, i) => $"#k{i}"));
        query.ExpressionAttributeNames ??= [];
        for (var i = 0; i < keyNames.Count; i++)
        {
            query.ExpressionAttributeNames[$"#k{i}"] = keyNames[i];
        }

        long deleted = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            query.ExclusiveStartKey = start;
            var page = await dynamo.QueryAsync(query, cancellationToken);
            var keys = (page.Items ?? []).Select(item => keyNames.ToDictionary(k => k, k => item[k])).ToList();
            await DeleteAsync(query.TableName, keys, cancellationToken);
            deleted += keys.Count;
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);

        return deleted;
    }

    /// <summary>Deletes the items with these keys (BatchWriteItem, 25 a request, unprocessed items retried).</summary>
    public async Task DeleteAsync(string table, IReadOnlyList<Dictionary<string, AttributeValue>> keys, CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Chunk(MaxBatchItems))
        {
            var pending = new Dictionary<string, List<WriteRequest>>
            {
                [table] = chunk.Select(k => new WriteRequest { DeleteRequest = new DeleteRequest { Key = k } }).ToList(),
            };
            var backoff = FirstBackoff;
            for (var attempt = 1; ; attempt++)
            {
                var response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken);
                if (response.UnprocessedItems is not { Count: > 0 } unprocessed || unprocessed.Values.All(v => v.Count == 0))
                {
                    break;
                }

                if (attempt == MaxAttempts)
                {
                    throw new InvalidOperationException(
                        $"DynamoDB left {unprocessed.Values.Sum(v => v.Count)} delete(s) of {table} unprocessed after {MaxAttempts} attempts");
                }

                pending = unprocessed;
                await Task.Delay(backoff, time, cancellationToken);
                backoff *= 2;
            }
        }
    }
}
