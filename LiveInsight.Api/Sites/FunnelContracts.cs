using System.Text.Json.Serialization;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Sites;

/// <summary>A funnel as submitted (<c>POST /api/sites/{siteId}/funnels</c>, or a whole replacement by <c>PUT …/{funnelId}</c>).</summary>
public sealed record FunnelRequest(string? Name, IReadOnlyList<FunnelStepRequest?>? Steps, string? Window = null);

/// <summary>A step as submitted: the fields of a goal (<see cref="CreateGoalRequest"/>) and an optional display name.</summary>
public sealed record FunnelStepRequest(
    string? Kind,
    string? Path = null,
    string? EventName = null,
    string? PropKey = null,
    string? PropValue = null,
    string? DisplayName = null);

/// <summary>A funnel as the API shows it.</summary>
public sealed record FunnelView(string Id, string Name, string Window, IReadOnlyList<FunnelStepView> Steps)
{
    public static FunnelView Of(Funnel funnel) => new(funnel.Id, funnel.Name, funnel.Window, funnel.Steps.Select(FunnelStepView.Of).ToList());
}

/// <summary>A step as the API shows it; fields a step of its kind does not have are left out.</summary>
public sealed record FunnelStepView(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PropKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PropValue,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayName,
    string Label)
{
    public static FunnelStepView Of(FunnelStep step) => new(step.Kind, step.Path, step.EventName, step.PropKey, step.PropValue, step.DisplayName, step.Label);
}

public sealed record FunnelList(IReadOnlyList<FunnelView> Funnels);
