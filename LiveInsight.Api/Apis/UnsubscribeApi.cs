using System.Text.Encodings.Web;
using LiveInsight.Core.Alerts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>
/// The one-click unsubscribe link of every alert and report mail, without login: the token is signed
/// (<see cref="UnsubscribeLinks"/>). GET shows a page with one button (mail scanners follow links, so a GET changes
/// nothing); POST unsubscribes — the button, and mail clients' RFC 8058 one-click (<c>List-Unsubscribe-Post</c>).
/// Served by the Api rather than the Dashboard: the Api is already public and stateless, while every Dashboard route that
/// changes something requires a session and a CSRF token, a rule this link would have to break.
/// </summary>
public static class UnsubscribeApi
{
    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(UnsubscribeLinks.Path).WithTags("Alerts and reports");
        group.MapGet("/", ConfirmPage).WithName("UnsubscribePage").WithSummary("The page an unsubscribe link opens: one button, no login");
        group.MapPost("/", Unsubscribe).WithName("Unsubscribe")
            .WithSummary("Stop every alert and report mail of the token's site to the token's address (RFC 8058 one-click)")
            .DisableAntiforgery();
        return app;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> ConfirmPage(string? token, UnsubscribeLinks links)
    {
        if (links.Verify(token) is not { } target)
        {
            return BadLink();
        }

        var address = HtmlEncoder.Default.Encode(target.Email);
        var action = HtmlEncoder.Default.Encode($"{UnsubscribeLinks.Path}?token={Uri.EscapeDataString(token!)}");
        return Page("Unsubscribe", $"""
            <p>Stop LiveInsight alerts and reports to <strong>{address}</strong> for this site?</p>
            <form method="post" action="{action}"><button type="submit">Unsubscribe</button></form>
            """);
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Unsubscribe(string? token, UnsubscribeLinks links, AlertRepository alerts, CancellationToken cancellationToken)
    {
        if (links.Verify(token) is not { } target)
        {
            return BadLink();
        }

        await alerts.UnsubscribeAsync(target.SiteId, target.Email, cancellationToken);
        return Page("Unsubscribed", $"<p><strong>{HtmlEncoder.Default.Encode(target.Email)}</strong> will get no more alerts or reports from this site.</p>");
    }

    private static ContentHttpResult Page(string title, string body) => TypedResults.Content($"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{title} · LiveInsight</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto">
        <h1>{title}</h1>{body}</body></html>
        """, "text/html; charset=utf-8");

    private static ProblemHttpResult BadLink() => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "Invalid unsubscribe link",
        detail: "This link is incomplete or was not made by this installation; use the link from the mail as it is.");
}
