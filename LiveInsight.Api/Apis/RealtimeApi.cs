using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Extensions;
using LiveInsight.Api.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Api.Apis;

public static class RealtimeApi
{
    public static readonly TimeSpan PushInterval = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        var realtime = app.MapGroup("/api/realtime")
            .WithTags("Realtime")
            .AddEndpointFilter<SiteAccessFilter>()
            .AddEndpointFilter<KnownQueryParameters>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        realtime.MapGet("/users", GetUsers)
            .WithName("GetRealtimeUsers")
            .WithSummary("Visitors seen in the last 5 minutes");
        realtime.MapGet("/pages", GetPages)
            .WithName("GetRealtimePages")
            .WithSummary("Active sessions per current page in the last 5 minutes");
        realtime.MapGet("/stream", Stream)
            .WithName("StreamRealtime")
            .WithSummary("Server-sent events: the users and pages answers every 2 s (auth by header: for the server-side proxy)");
        return app;
    }

    public static async Task<ReadResult<RealtimeUsers>> GetUsers(
        [FromQuery(Name = "site_id")] string siteId, HttpContext context, RealtimeService realtime, CancellationToken cancellationToken) =>
        ReadResult.Of(await realtime.UsersAsync(context.Site().SiteId, cancellationToken));

    public static async Task<Results<ReadResult<RealtimePages>, ProblemHttpResult>> GetPages(
        [FromQuery(Name = "site_id")] string siteId, int? limit, HttpContext context, RealtimeService realtime, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad limit", detail: "limit must be between 1 and 1000.");
        }

        return ReadResult.Of(await realtime.PagesAsync(context.Site().SiteId, limit ?? RealtimeService.DefaultLimit, cancellationToken));
    }

    public static ServerSentEventsResult<RealtimeSnapshot> Stream(
        [FromQuery(Name = "site_id")] string siteId, HttpContext context, RealtimeService realtime, TimeProvider time) =>
        TypedResults.ServerSentEvents(Snapshots(context.Site().SiteId, realtime, time, context.RequestAborted));

    /// <summary>One snapshot at once, then one per interval until the client goes away. Every replica reads the same
    /// Redis, so a dashboard may be connected to any of them; the 3 s cache makes many subscribers cost one query.</summary>
    private static async IAsyncEnumerable<SseItem<RealtimeSnapshot>> Snapshots(
        string siteId, RealtimeService realtime, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PushInterval, time);
        do
        {
            var users = await realtime.UsersAsync(siteId, cancellationToken);
            var pages = await realtime.PagesAsync(siteId, RealtimeService.DefaultLimit, cancellationToken);
            yield return new SseItem<RealtimeSnapshot>(new RealtimeSnapshot(users, pages), "realtime")
            {
                ReconnectionInterval = PushInterval,
            };
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
