namespace LiveInsight.Core.Lifecycle;

/// <summary>How long a site keeps its data (<see cref="Sites.Site.RetentionMonths"/>): a few fixed choices, or forever.</summary>
public static class Retention
{
    /// <summary>The months a site may choose; null (not in this list) keeps everything.</summary>
    public static readonly IReadOnlyList<int> Allowed = [6, 12, 24, 36];

    public static bool IsAllowed(int? months) => months is null || Allowed.Contains(months.Value);

    /// <summary>The first site-local day kept on <paramref name="today"/>: every day before it goes.</summary>
    public static DateOnly FirstKeptDay(DateOnly today, int months) => today.AddMonths(-months);
}
