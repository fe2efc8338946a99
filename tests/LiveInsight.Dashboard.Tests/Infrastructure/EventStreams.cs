namespace LiveInsight.Dashboard.Tests.Infrastructure;

/// <summary>Reading a realtime (server-sent events) answer the way a test needs to.</summary>
public static class EventStreams
{
    /// <summary>True when the answer ends (closed, or aborted mid-stream) within <paramref name="limit"/>.</summary>
    public static async Task<bool> EndsWithinAsync(StreamReader reader, TimeSpan limit)
    {
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            while (await reader.ReadLineAsync(cancel.Token) is not null)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true; // the connection was aborted mid-stream
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
