using LiveInsight.Core.Storage;

namespace LiveInsight.Core.Tests.Storage;

public sealed class DynamoDbConnectionStringTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8000", "http://127.0.0.1:8000", "us-east-1")]
    [InlineData("http://localhost:8000/", "http://localhost:8000", "us-east-1")]
    [InlineData("Endpoint=http://dynamodb:8000;Region=eu-west-1", "http://dynamodb:8000", "eu-west-1")]
    [InlineData("Endpoint=http://dynamodb:8000", "http://dynamodb:8000", "us-east-1")]
    public void Parses_a_url_or_key_value_pairs(string connectionString, string endpoint, string region)
    {
        Assert.Equal((endpoint, region), DynamoDbExtensions.ParseConnectionString(connectionString));
    }

    [Fact]
    public void A_connection_string_without_an_endpoint_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<FormatException>(() => DynamoDbExtensions.ParseConnectionString("Region=eu-west-1"));
        Assert.Contains("Endpoint", error.Message);
    }
}
