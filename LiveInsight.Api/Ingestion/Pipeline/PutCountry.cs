using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>Country from the client IP (CC0 mmdb), looked up once per request; the IP itself goes no further.</summary>
public sealed class PutCountry(CountryLookup countries) : IRequestStep
{
    public DropReason? Run(IngestContext request)
    {
        request.Country = request.ClientIp is null ? null : countries.Country(request.ClientIp);
        return null;
    }
}
