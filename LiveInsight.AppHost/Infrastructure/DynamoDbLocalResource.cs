namespace LiveInsight.AppHost.Infrastructure;

/// <summary>The <c>amazon/dynamodb-local</c> container, used when a container runtime is available and when publishing.</summary>
public sealed class DynamoDbLocalResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public const string Image = "amazon/dynamodb-local";
    public const string Tag = "2.6.1";
    public const string EndpointName = "http";
    public const int ContainerPort = 8000;

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Url)}");
}
