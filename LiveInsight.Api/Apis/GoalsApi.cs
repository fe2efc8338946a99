using LiveInsight.Api.Auth;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>
/// A site's conversion goals, stored with the site (at most <see cref="Goal.MaxPerSite"/>). Read and changed with the
/// site's secret key or the admin token; each change is written to the audit log first (<see cref="AdminAudit"/>).
/// </summary>
public static class GoalsApi
{
    /// <summary>Goal changes are independent of other site changes, so a version conflict is retried, not answered 409.</summary>
    private const int Attempts = 3;

    public static IEndpointRouteBuilder MapGoalsApi(this IEndpointRouteBuilder app)
    {
        var goals = app.MapGroup("/api/sites/{siteId}/goals")
            .WithTags("Goals")
            .AddEndpointFilter<RouteSiteAccessFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        goals.MapGet("/", ListGoals)
            .WithName("ListGoals")
            .WithSummary("The site's goals: page goals (a path pattern) and event goals (an event name, optionally a property)");
        goals.MapPost("/", CreateGoal)
            .WithName("CreateGoal")
            .WithSummary("Add a goal; display_name defaults to \"Visit {path}\" or the event name and is unique within the site");
        goals.MapDelete("/{goalId}", DeleteGoal)
            .WithName("DeleteGoal")
            .WithSummary("Remove a goal");
        return app;
    }

    public static Ok<GoalList> ListGoals(string siteId, HttpContext http) =>
        TypedResults.Ok(new GoalList(http.Site().Goals.Select(GoalView.Of).ToList()));

    public static async Task<Results<Created<GoalView>, ValidationProblem, ProblemHttpResult>> CreateGoal(
        string siteId,
        CreateGoalRequest request,
        HttpContext http,
        SiteRepository repository,
        SiteCache cache,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        var errors = GoalValidation.Validate(request, out var goal);
        if (goal is null)
        {
            return TypedResults.ValidationProblem(errors, detail: "The goal was not created.");
        }

        var audited = false;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
            {
                return SiteNotFound(siteId);
            }

            if (site.Goals.Count >= Goal.MaxPerSite)
            {
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["goals"] = [$"A site has at most {Goal.MaxPerSite} goals; delete one first."] },
                    detail: "The goal was not created.");
            }

            if (site.Goals.Any(g => string.Equals(g.DisplayName, goal.DisplayName, StringComparison.OrdinalIgnoreCase)))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Goal exists",
                    detail: $"This site already has a goal named '{goal.DisplayName}'; give another display_name.");
            }

            if (!audited)
            {
                if (await audit.WriteAsync(http, siteId, AuditActions.GoalCreate, Describe(goal), cancellationToken, goal.Id) is { } failed)
                {
                    return failed;
                }

                audited = true;
            }

            switch (await repository.UpdateAsync(site with { Goals = [.. site.Goals, goal] }, cancellationToken))
            {
                case SiteUpdate.Updated:
                    await cache.InvalidateAsync(cancellationToken);
                    return TypedResults.Created($"/api/sites/{siteId}/goals/{goal.Id}", GoalView.Of(goal));
                case SiteUpdate.NotFound:
                    return SiteNotFound(siteId);
            }
        }

        return SiteChanged();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteGoal(
        string siteId,
        string goalId,
        HttpContext http,
        SiteRepository repository,
        SiteCache cache,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        var audited = false;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
            {
                return SiteNotFound(siteId);
            }

            var goal = Goal.IsWellFormedId(goalId) ? site.Goals.FirstOrDefault(g => g.Id == goalId) : null;
            if (goal is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Goal not found",
                    detail: "This site has no goal with this id; nothing was changed.");
            }

            if (!audited)
            {
                if (await audit.WriteAsync(http, siteId, AuditActions.GoalDelete, Describe(goal), cancellationToken, goal.Id) is { } failed)
                {
                    return failed;
                }

                audited = true;
            }

            switch (await repository.UpdateAsync(site with { Goals = site.Goals.Where(g => g.Id != goalId).ToList() }, cancellationToken))
            {
                case SiteUpdate.Updated:
                    await cache.InvalidateAsync(cancellationToken);
                    return TypedResults.NoContent();
                case SiteUpdate.NotFound:
                    return SiteNotFound(siteId);
            }
        }

        return SiteChanged();
    }

    /// <summary>The audit entry's details: what the goal matches (no visitor data; all of it the caller's own input).</summary>
    private static string Describe(Goal goal) => goal.IsPage
        ? $"page goal '{goal.DisplayName}': path={goal.Path}"
        : $"event goal '{goal.DisplayName}': event_name={goal.EventName}" + (goal.PropKey is null ? "" : $", {goal.PropKey}={goal.PropValue}");

    private static ProblemHttpResult SiteNotFound(string siteId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
            detail: $"There is no site with id '{siteId}'; nothing was changed.");

    private static ProblemHttpResult SiteChanged() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Site changed meanwhile",
            detail: "The site kept changing while the goal was saved; nothing was changed. Retry.");
}
