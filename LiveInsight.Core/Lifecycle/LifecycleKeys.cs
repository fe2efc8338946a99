namespace LiveInsight.Core.Lifecycle;

/// <summary>The Redis keys of the data lifecycle job (a separate file beside <see cref="Events.RedisKeys"/>, in Core as
/// every key is). Both are global strings, never touched by a script with other keys.</summary>
public static class LifecycleKeys
{
    /// <summary>String: which aggregator replica runs the lifecycle pass now (SET NX PX, released after the pass).</summary>
    public const string Lease = "li:lifecycle:lease";

    /// <summary>String: the UTC day (<c>yyyy-MM-dd</c>) whose retention pass has finished, so it runs once a day.</summary>
    public const string RetentionDoneDay = "li:lifecycle:retention-day";
}
