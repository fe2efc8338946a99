using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Imports;

/// <summary>One import of a site's history: what it covers and where it stands.</summary>
public sealed record ImportRecord(
    string ImportId, string Source, string From, string To, string Status, int Days, int Rows, int ClippedDays, DateTimeOffset CreatedAt)
{
    public const string Writing = "writing";
    public const string Done = "done";
    public const string Deleting = "deleting";
}

/// <summary>
/// Imports in the Stats table (<see cref="ImportLayout"/>). The record is written first (status <c>writing</c>), then
/// the day items, then the record says <c>done</c>; a failure half way leaves a record that still counts for overlaps
/// and can be deleted. Deleting marks the record <c>deleting</c>, removes every item carrying its id dimension by
/// dimension, then the record: every step can be repeated, so a failed delete is finished by trying again.
/// </summary>
public sealed class ImportStore(IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage, TimeProvider time)
{
    private const string LockSortKey = "lock";
    private static readonly TimeSpan LockLifetime = TimeSpan.FromMinutes(10);

    private string Table => storage.Value.TableName(Tables.Stats);

    public async Task<List<ImportRecord>> ListAsync(string siteId, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = Table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = S(ImportLayout.RecordsPartitionKey(siteId)) },
        };
        var records = new List<ImportRecord>();
        do
        {
            var page = await dynamo.QueryAsync(request, cancellationToken);
            records.AddRange((page.Items ?? []).Where(i => i["sk"].S != LockSortKey).Select(ToRecord));
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);

        return records.OrderBy(r => r.CreatedAt).ToList();
    }

    public async Task<ImportRecord?> FindAsync(string siteId, string importId, CancellationToken cancellationToken)
    {
        var item = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table,
            Key = Key(siteId, importId),
            ConsistentRead = true,
        }, cancellationToken);
        return item.Item is { Count: > 0 } found ? ToRecord(found) : null;
    }

    /// <summary>The first site-local day with native (not imported) rollups in the Stats table, or null.</summary>
    public async Task<DateOnly?> FirstNativeDayAsync(string siteId, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = Table,
            KeyConditionExpression = "pk = :pk",
            FilterExpression = "attribute_not_exists(#import)",
            ExpressionAttributeNames = new() { ["#import"] = ImportLayout.ImportIdAttribute },
            ExpressionAttributeValues = new() { [":pk"] = S(RollupLayout.StatsPartitionKey(siteId, Granularity.Day, RollupLayout.Summary)) },
            ProjectionExpression = "sk",
        };
        do
        {
            var page = await dynamo.QueryAsync(request, cancellationToken);
            if (page.Items is { Count: > 0 } items)
            {
                var sk = items[0]["sk"].S;
                return DateOnly.ParseExact(sk[..sk.IndexOf('#')], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);

        return null;
    }

    /// <summary>One import or deletion at a time per site (across replicas): a conditional put of a lock item that
    /// expires on its own, so a crashed replica cannot hold it for ever.</summary>
    public async Task<bool> TryLockAsync(string siteId, string holder, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = Table,
                Item = new Dictionary<string, AttributeValue>(Key(siteId, LockSortKey))
                {
                    ["holder"] = S(holder),
                    ["until"] = N(now.Add(LockLifetime).ToUnixTimeSeconds()),
                },
                ConditionExpression = "attribute_not_exists(pk) OR #until < :now",
                ExpressionAttributeNames = new() { ["#until"] = "until" },
                ExpressionAttributeValues = new() { [":now"] = N(now.ToUnixTimeSeconds()) },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public Task UnlockAsync(string siteId, string holder) =>
        dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = Table,
            Key = Key(siteId, LockSortKey),
            ConditionExpression = "holder = :holder",
            ExpressionAttributeValues = new() { [":holder"] = S(holder) },
        }).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);

    public async Task WriteAsync(string siteId, ImportRecord record, ImportedRollups rollups, CancellationToken cancellationToken)
    {
        await PutRecordAsync(siteId, record with { Status = ImportRecord.Writing }, cancellationToken);
        var items = rollups.Items().Select(row =>
        {
            var item = new Dictionary<string, AttributeValue>
            {
                ["pk"] = S(RollupLayout.StatsPartitionKey(siteId, Granularity.Day, row.Dimension)),
                ["sk"] = S(RollupLayout.StatsSortKey(RollupLayout.DayBucket(row.Day), row.Value)),
                ["bucket"] = S(RollupLayout.DayBucket(row.Day)),
                ["value"] = S(row.Value),
                [ImportLayout.ImportIdAttribute] = S(record.ImportId),
            };
            foreach (var (metric, count) in row.Metrics)
            {
                item[metric] = N(count);
            }

            return item;
        });
        await BatchAsync(items.Select(i => new WriteRequest { PutRequest = new PutRequest { Item = i } }), cancellationToken);
        await NewSummaryEpochAsync(siteId, cancellationToken);
        await PutRecordAsync(siteId, record with { Status = ImportRecord.Done }, cancellationToken);
    }

    /// <returns>How many day items were removed.</returns>
    public async Task<int> DeleteAsync(string siteId, ImportRecord record, CancellationToken cancellationToken)
    {
        await PutRecordAsync(siteId, record with { Status = ImportRecord.Deleting }, cancellationToken);
        var removed = 0;
        foreach (var dimension in ImportLayout.Dimensions)
        {
            var request = new QueryRequest
            {
                TableName = Table,
                KeyConditionExpression = "pk = :pk AND sk BETWEEN :from AND :to",
                FilterExpression = "#import = :id",
                ExpressionAttributeNames = new() { ["#import"] = ImportLayout.ImportIdAttribute },
                ExpressionAttributeValues = new()
                {
                    [":pk"] = S(RollupLayout.StatsPartitionKey(siteId, Granularity.Day, dimension)),
                    [":from"] = S(record.From + "#"),
                    [":to"] = S(record.To + "$"),
                    [":id"] = S(record.ImportId),
                },
                ProjectionExpression = "pk, sk",
            };
            do
            {
                var page = await dynamo.QueryAsync(request, cancellationToken);
                var keys = page.Items ?? [];
                await BatchAsync(keys.Select(k => new WriteRequest { DeleteRequest = new DeleteRequest { Key = k } }), cancellationToken);
                removed += keys.Count;
                request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
            while (request.ExclusiveStartKey is not null);
        }

        await NewSummaryEpochAsync(siteId, cancellationToken);
        await dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = Table, Key = Key(siteId, record.ImportId) }, cancellationToken);
        return removed;
    }

    /// <summary>An import changes days a summary week may have been merged from (days before the site's native data,
    /// empty until then): after writing or deleting them, a new epoch makes every merged week unused (<see cref="SummaryWeeks"/>).</summary>
    private Task NewSummaryEpochAsync(string siteId, CancellationToken cancellationToken) =>
        dynamo.PutItemAsync(new PutItemRequest { TableName = Table, Item = SummaryWeeks.EpochItem(siteId) }, cancellationToken);

    private async Task BatchAsync(IEnumerable<WriteRequest> writes, CancellationToken cancellationToken)
    {
        foreach (var chunk in writes.Chunk(25))
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [Table] = [.. chunk] };
            for (var attempt = 0; pending is { Count: > 0 }; attempt++)
            {
                if (attempt > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * (1 << Math.Min(attempt, 6)), 2_000)), time, cancellationToken);
                }

                var response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken);
                pending = response.UnprocessedItems is { Count: > 0 } more ? more : null;
            }
        }
    }

    private Task PutRecordAsync(string siteId, ImportRecord record, CancellationToken cancellationToken) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = Table,
            Item = new Dictionary<string, AttributeValue>(Key(siteId, record.ImportId))
            {
                ["source"] = S(record.Source),
                ["from"] = S(record.From),
                ["to"] = S(record.To),
                ["status"] = S(record.Status),
                ["days"] = N(record.Days),
                ["rows"] = N(record.Rows),
                ["clipped_days"] = N(record.ClippedDays),
                ["created_at"] = S(record.CreatedAt.ToString("O", CultureInfo.InvariantCulture)),
            },
        }, cancellationToken);

    private static ImportRecord ToRecord(Dictionary<string, AttributeValue> item) => new(
        item["sk"].S, item["source"].S, item["from"].S, item["to"].S, item["status"].S,
        int.Parse(item["days"].N, CultureInfo.InvariantCulture), int.Parse(item["rows"].N, CultureInfo.InvariantCulture),
        int.Parse(item["clipped_days"].N, CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(item["created_at"].S, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));

    private static Dictionary<string, AttributeValue> Key(string siteId, string sortKey) => new()
    {
        ["pk"] = S(ImportLayout.RecordsPartitionKey(siteId)),
        ["sk"] = S(sortKey),
    };

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
