using System.Net;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>The site's excluded IP ranges (CIDR). The raw IP is only compared in memory, never stored.</summary>
public sealed class DropExcludedIp : IRequestStep
{
    public DropReason? Run(IngestContext request)
    {
        if (request.ClientIp is null || request.Site.ExcludedIpRanges.Count == 0)
        {
            return null;
        }

        var ip = request.ClientIp.IsIPv4MappedToIPv6 ? request.ClientIp.MapToIPv4() : request.ClientIp;
        foreach (var range in request.Site.ExcludedIpRanges)
        {
            if (IPNetwork.TryParse(range, out var network) && network.Contains(ip))
            {
                return DropReason.ExcludedIp;
            }
        }

        return null;
    }
}
