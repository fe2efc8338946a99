using System.Security.Cryptography;
using LiveInsight.Api.Alerts;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>A site's alert rules, its report recipients and the delivery log: the site's secret key or the admin token
/// (see <see cref="RouteSiteAccessFilter"/>). Every change is written to the audit log first. Nothing is on by default: a site
/// has no rules until its owner adds one, and a rule is off unless <c>enabled</c> says otherwise.</summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var site = app.MapGroup("/api/sites/{siteId}")
            .WithTags("Alerts and reports")
            .AddEndpointFilter<RouteSiteAccessFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        site.MapGet("/alerts", ListRules).WithName("ListAlertRules").WithSummary("A site's alert rules (without webhook secrets) and the defaults a new rule gets");
        site.MapPost("/alerts", CreateRule).WithName("CreateAlertRule")
            .WithSummary("Add an alert rule (spike, drop or goal); the response holds its webhook signing secret, shown only this once");
        site.MapPut("/alerts/{ruleId}", ReplaceRule).WithName("ReplaceAlertRule").WithSummary("Replace an alert rule whole (its webhook secret is kept)");
        site.MapDelete("/alerts/{ruleId}", DeleteRule).WithName("DeleteAlertRule").WithSummary("Delete an alert rule");
        site.MapGet("/alerts/deliveries", ListDeliveries).WithName("ListAlertDeliveries")
            .WithSummary("The newest 100 deliveries of alerts and reports (each attempt, with its outcome), kept 30 days");
        site.MapGet("/reports", ListReports).WithName("ListReports").WithSummary("A site's scheduled report recipients");
        site.MapPost("/reports", CreateReport).WithName("CreateReport").WithSummary("Send a weekly or monthly report to an address at an hour of the site's day");
        site.MapDelete("/reports/{reportId}", DeleteReport).WithName("DeleteReport").WithSummary("Stop a scheduled report");
        return app;
    }

    public static async Task<Ok<AlertRuleList>> ListRules(string siteId, AlertRepository alerts, CancellationToken cancellationToken)
    {
        var rules = await alerts.ListRulesAsync(siteId, cancellationToken);
        return TypedResults.Ok(new AlertRuleList(siteId, rules.OrderBy(r => r.CreatedAt).Select(AlertRuleView.Of).ToList(), AlertRuleDefaults.Current));
    }

    public static async Task<Results<Created<CreatedAlertRule>, ValidationProblem, ProblemHttpResult>> CreateRule(
        string siteId, AlertRuleRequest request, HttpContext http, AlertRepository alerts, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = AlertValidation.Validate(request, out var rule, siteId, AlertValidation.NewId(), time.GetUtcNow());
        if (rule is null)
        {
            return TypedResults.ValidationProblem(errors, detail: "The rule was not created.");
        }

        rule = rule with { WebhookSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_') };
        if (await audit.WriteAsync(http, siteId, AuditActions.AlertCreate, Describe(rule), cancellationToken) is { } failed)
        {
            return failed;
        }

        if (!await alerts.CreateRuleAsync(rule, cancellationToken))
        {
            return TooMany($"A site has at most {AlertLimits.MaxRulesPerSite} alert rules; delete one first.");
        }

        return TypedResults.Created($"/api/sites/{siteId}/alerts/{rule.Id}", new CreatedAlertRule(AlertRuleView.Of(rule), rule.WebhookSecret));
    }

    public static async Task<Results<Ok<AlertRuleView>, ValidationProblem, ProblemHttpResult>> ReplaceRule(
        string siteId, string ruleId, AlertRuleRequest request, HttpContext http, AlertRepository alerts, AdminAudit audit, CancellationToken cancellationToken)
    {
        if (!AlertValidation.IsWellFormedId(ruleId) || await alerts.FindRuleAsync(siteId, ruleId, cancellationToken) is not { } existing)
        {
            return RuleNotFound();
        }

        var errors = AlertValidation.Validate(request, out var rule, siteId, ruleId, existing.CreatedAt);
        if (rule is null)
        {
            return TypedResults.ValidationProblem(errors, detail: "The rule was not changed.");
        }

        rule = rule with { WebhookSecret = existing.WebhookSecret };
        if (await audit.WriteAsync(http, siteId, AuditActions.AlertUpdate, Describe(rule), cancellationToken) is { } failed)
        {
            return failed;
        }

        return await alerts.ReplaceRuleAsync(rule, cancellationToken) ? TypedResults.Ok(AlertRuleView.Of(rule)) : RuleNotFound();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(
        string siteId, string ruleId, HttpContext http, AlertRepository alerts, AdminAudit audit, CancellationToken cancellationToken)
    {
        if (!AlertValidation.IsWellFormedId(ruleId) || await alerts.FindRuleAsync(siteId, ruleId, cancellationToken) is null)
        {
            return RuleNotFound();
        }

        if (await audit.WriteAsync(http, siteId, AuditActions.AlertDelete, $"rule {ruleId}", cancellationToken) is { } failed)
        {
            return failed;
        }

        await alerts.DeleteRuleAsync(siteId, ruleId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<DeliveryList>> ListDeliveries(string siteId, AlertRepository alerts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new DeliveryList(siteId, await alerts.ListDeliveriesAsync(siteId, cancellationToken)));

    public static async Task<Ok<ReportList>> ListReports(string siteId, AlertRepository alerts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ReportList(siteId, (await alerts.ListReportsAsync(siteId, cancellationToken)).OrderBy(r => r.CreatedAt).ToList()));

    public static async Task<Results<Created<ReportSubscription>, ValidationProblem, ProblemHttpResult>> CreateReport(
        string siteId, ReportRequest request, HttpContext http, AlertRepository alerts, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = AlertValidation.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The report was not scheduled.");
        }

        var report = new ReportSubscription(AlertValidation.NewId(), siteId, request.Email!.Trim(), request.Frequency!, request.Hour ?? 8, time.GetUtcNow());
        if (await audit.WriteAsync(http, siteId, AuditActions.ReportCreate, $"{report.Frequency} report to {report.Email} at {report.Hour}:00", cancellationToken) is { } failed)
        {
            return failed;
        }

        if (!await alerts.CreateReportAsync(report, cancellationToken))
        {
            return TooMany($"A site has at most {AlertLimits.MaxReportsPerSite} report recipients; delete one first.");
        }

        return TypedResults.Created($"/api/sites/{siteId}/reports/{report.Id}", report);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteReport(
        string siteId, string reportId, HttpContext http, AlertRepository alerts, AdminAudit audit, CancellationToken cancellationToken)
    {
        if (!AlertValidation.IsWellFormedId(reportId) || !(await alerts.ListReportsAsync(siteId, cancellationToken)).Any(r => r.Id == reportId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Report not found", detail: "This site has no report with this id.");
        }

        if (await audit.WriteAsync(http, siteId, AuditActions.ReportDelete, $"report {reportId}", cancellationToken) is { } failed)
        {
            return failed;
        }

        await alerts.DeleteReportAsync(siteId, reportId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static string Describe(AlertRule rule) =>
        $"{rule.Kind} rule {rule.Id} ({(rule.Enabled ? "on" : "off")}), {rule.Emails.Count} e-mail and {rule.Webhooks.Count} webhook recipients";

    private static ProblemHttpResult RuleNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Rule not found", detail: "This site has no alert rule with this id.");

    private static ProblemHttpResult TooMany(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many", detail: detail);
}
