namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// A page that is not on the site's domains (subdomains only when the site allows them). The Origin check alone is not
/// enough: server-side senders send no Origin, and a sandboxed iframe on any page sends "null", so without this step
/// anyone who reads a site's public key off its pages could count made-up pages of any host in its name.
/// </summary>
public sealed class DropForeignHost : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        var site = request.Site;
        var host = e.Page!.Host;
        foreach (var domain in site.Domains)
        {
            if (OriginRules.HostMatches(host, domain, site.AllowSubdomains))
            {
                return;
            }
        }

        e.Drop(DropReason.ForeignHost);
    }
}
