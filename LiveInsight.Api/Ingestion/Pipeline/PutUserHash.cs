using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// <c>liveinsight.identify(userId)</c>: the event keeps <see cref="Identify.Hash"/> of the id under the site's identify
/// secret, never the id. Only when the site enabled identify, and never for a request that asked not to be tracked
/// (DNT or GPC), even on a site that counts such requests (<c>honor_dnt: false</c>). An id longer than
/// <see cref="Identify.MaxUserIdLength"/> is ignored rather than cut, so two long ids cannot become one user.
/// Otherwise the field is dropped and the event counts as any unidentified one.
/// </summary>
public sealed class PutUserHash : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        if (e.Raw.Uid is not { Length: > 0 and <= Identify.MaxUserIdLength } userId
            || !request.Site.IdentifyEnabled
            || request.Site.IdentifySecret is not { Length: > 0 } secret
            || request.DoNotTrack)
        {
            return;
        }

        // A batch is one page: one id, hashed once.
        if (request.LastUserHash is not { } last || last.UserId != userId)
        {
            last = (userId, Identify.Hash(secret, userId));
            request.LastUserHash = last;
        }

        e.UserHash = last.Hash;
    }
}
