using System.ComponentModel.DataAnnotations;

namespace LiveInsight.Api.Extensions;

public sealed class ApiOptions
{
    public const string SectionName = "LiveInsight";

    /// <summary>Bearer token for the administration endpoints (the AppHost parameter <c>admin-token</c>).</summary>
    [Required(ErrorMessage = "LiveInsight:AdminToken must be set (the AppHost passes its admin-token parameter)")]
    [MinLength(16, ErrorMessage = "LiveInsight:AdminToken must be at least 16 characters")]
    public string AdminToken { get; set; } = "";
}
