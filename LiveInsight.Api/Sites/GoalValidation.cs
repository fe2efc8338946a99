using System.Globalization;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Sites;

/// <summary>Checks a goal as submitted and builds it with its defaults; every problem is reported, not just the first.
/// The caps match what ingestion keeps (an event name or property longer than it accepts could never convert).</summary>
public static class GoalValidation
{
    public static Dictionary<string, string[]> Validate(CreateGoalRequest request, out Goal? goal)
    {
        goal = null;
        var errors = new Dictionary<string, string[]>();
        var page = request.Kind == Goal.PageKind;
        if (!page && request.Kind != Goal.EventKind)
        {
            errors["kind"] = ["kind is \"page\" (page views whose path matches a pattern) or \"event\" (custom events by name)."];
            return errors;
        }

        if (page)
        {
            if (request.Path is null || !PathPattern.IsValid(request.Path) || HasInvisible(request.Path))
            {
                errors["path"] = [$"A page goal needs a path pattern: starts with '/', at most {PathPattern.MaxLength} characters, no '***', e.g. /signup/**."];
            }

            foreach (var (name, value) in new[] { ("event_name", request.EventName), ("prop_key", request.PropKey), ("prop_value", request.PropValue) })
            {
                if (value is not null)
                {
                    errors[name] = [$"{name} belongs to event goals; a page goal has only a path."];
                }
            }
        }
        else
        {
            if (!IsText(request.EventName, IngestionLimits.MaxNameLength))
            {
                errors["event_name"] = [$"An event goal needs the event's name: 1 to {IngestionLimits.MaxNameLength} visible characters, e.g. Signup."];
            }

            if (request.Path is not null)
            {
                errors["path"] = ["path belongs to page goals; an event goal matches custom events by event_name."];
            }

            if ((request.PropKey is null) != (request.PropValue is null))
            {
                errors["prop_key"] = ["prop_key and prop_value come together (or neither)."];
            }
            else if (request.PropKey is not null)
            {
                if (!IsText(request.PropKey, IngestionLimits.MaxPropKeyLength))
                {
                    errors["prop_key"] = [$"1 to {IngestionLimits.MaxPropKeyLength} visible characters."];
                }

                if (!IsText(request.PropValue, IngestionLimits.MaxPropValueLength))
                {
                    errors["prop_value"] = [$"1 to {IngestionLimits.MaxPropValueLength} visible characters."];
                }
            }
        }

        var displayName = request.DisplayName?.Trim();
        if (request.DisplayName is not null && !IsText(displayName, Goal.MaxDisplayNameLength))
        {
            errors["display_name"] = [$"1 to {Goal.MaxDisplayNameLength} visible characters, or leave it out for \"Visit {{path}}\" or the event name."];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        goal = new Goal(
            Goal.NewId(),
            request.Kind!,
            displayName ?? (page ? "Visit " + request.Path : request.EventName!),
            page ? request.Path : null,
            page ? null : request.EventName,
            request.PropKey,
            request.PropValue);
        return errors;
    }

    internal static bool IsText(string? value, int maxLength) =>
        value is { Length: > 0 } && value.Length <= maxLength && value.Trim().Length > 0 && !HasInvisible(value);

    /// <summary>Control and format characters (bidi overrides, zero-width) would make two names look alike.</summary>
    private static bool HasInvisible(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                return true;
            }
        }

        return false;
    }
}
