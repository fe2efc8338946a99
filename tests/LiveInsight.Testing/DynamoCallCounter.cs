using System.Reflection;
using Amazon.DynamoDBv2;

namespace LiveInsight.Testing;

/// <summary>Counts every call made through <see cref="IAmazonDynamoDB"/> and forwards it to the real client; while
/// <see cref="Failing"/> is set, every call fails as an unreachable DynamoDB would (for tests of outage paths).</summary>
public class DynamoCallCounter : DispatchProxy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byMethod = new();
    private int _count;
    private IAmazonDynamoDB _inner = null!;
    private DynamoCallCounter _counter;

    public DynamoCallCounter() => _counter = this;

    public int Count => _counter._count;

    /// <summary>While true, every asynchronous call throws <see cref="HttpRequestException"/> instead of reaching DynamoDB.</summary>
    public bool Failing { get => _counter._failing; set => _counter._failing = value; }

    private volatile bool _failing;

    /// <summary>Calls of one method, e.g. <c>"ScanAsync"</c>.</summary>
    public int CountOf(string method) => _counter._byMethod.GetValueOrDefault(method);

    public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner, DynamoCallCounter counter)
    {
        var proxy = Create<IAmazonDynamoDB, DynamoCallCounter>();
        var self = (DynamoCallCounter)(object)proxy;
        self._inner = inner;
        self._counter = counter;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        // A derived test host disposes its singletons; the real client belongs to the shared fixture.
        if (targetMethod!.Name == nameof(IDisposable.Dispose))
        {
            return null;
        }

        if (targetMethod.Name.EndsWith("Async", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _counter._count);
            _counter._byMethod.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
            if (_counter._failing)
            {
                throw new HttpRequestException("DynamoDB is unreachable (test)");
            }
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
