using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Sites;

/// <summary>Checks a funnel as submitted and builds it; every problem is reported under the field it is about
/// (<c>name</c>, <c>window</c>, <c>steps</c>, <c>steps[2].path</c>…). A step is checked by the goals' rules
/// (<see cref="GoalValidation"/>), so a step can match exactly what a goal can.</summary>
public static class FunnelValidation
{
    public static Dictionary<string, string[]> Validate(FunnelRequest request, string id, out Funnel? funnel)
    {
        funnel = null;
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (!GoalValidation.IsText(name, Funnel.MaxNameLength))
        {
            errors["name"] = [$"A funnel needs a name: 1 to {Funnel.MaxNameLength} visible characters."];
        }

        var window = request.Window ?? Funnel.SessionWindow;
        if (!Funnel.Windows.ContainsKey(window))
        {
            errors["window"] = [$"window is one of {string.Join(", ", Funnel.Windows.Keys)} (default session)."];
        }

        var steps = new List<FunnelStep>();
        if (request.Steps is not { Count: >= Funnel.MinSteps and <= Funnel.MaxSteps })
        {
            errors["steps"] = [$"A funnel has {Funnel.MinSteps} to {Funnel.MaxSteps} steps, in order."];
        }
        else
        {
            for (var i = 0; i < request.Steps.Count; i++)
            {
                if (request.Steps[i] is not { } step)
                {
                    errors[$"steps[{i}]"] = ["A step is an object: {\"kind\": \"page\", \"path\": …} or {\"kind\": \"event\", \"event_name\": …}."];
                    continue;
                }

                var displayName = step.DisplayName?.Trim();
                var stepErrors = GoalValidation.Validate(
                    new CreateGoalRequest(step.Kind, null, step.Path, step.EventName, step.PropKey, step.PropValue), out var goal);
                foreach (var (field, problems) in stepErrors)
                {
                    errors[$"steps[{i}].{field}"] = problems;
                }

                if (step.DisplayName is not null && !GoalValidation.IsText(displayName, Funnel.MaxNameLength))
                {
                    errors[$"steps[{i}].display_name"] = [$"1 to {Funnel.MaxNameLength} visible characters, or leave it out for \"Visit {{path}}\" or the event name."];
                }

                if (goal is not null)
                {
                    steps.Add(new FunnelStep(goal.Kind, goal.Path, goal.EventName, goal.PropKey, goal.PropValue, displayName));
                }
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        funnel = new Funnel(id, name!, steps, window);
        return errors;
    }
}
