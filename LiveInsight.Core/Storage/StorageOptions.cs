using System.ComponentModel.DataAnnotations;

namespace LiveInsight.Core.Storage;

public sealed class StorageOptions
{
    public const string SectionName = "LiveInsight:Storage";

    /// <summary>Prepended to every table name, so several installations (or test runs) can share one account.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{0,100}$")]
    public string TablePrefix { get; set; } = "liveinsight-";

    /// <summary>How long the schema bootstrap keeps retrying an unreachable DynamoDB before the service fails.</summary>
    [Range(1, 3600)]
    public int BootstrapTimeoutSeconds { get; set; } = 120;

    public string TableName(TableDefinition table) => TablePrefix + table.LogicalName;
}
