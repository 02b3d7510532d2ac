using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Torture.Clients;

namespace Ferry.Torture.Loads;

/// <summary>The SQS calls the loads share. Queue URLs are rebuilt from the current endpoint: the port changes with
/// every restart, and Ferry resolves a queue by the URL's path.</summary>
internal static class SqsQueues
{
    private const string AccountId = "000000000000";

    public static Uri Url(ServerLink.Endpoints server, string queue) => new(server.Http, $"/{AccountId}/{queue}");

    public static async Task CreateAsync(AwsJsonClient aws, ServerLink.Endpoints server, string queue, JsonObject? attributes, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["QueueName"] = queue };
        if (attributes is not null)
        {
            body["Attributes"] = attributes;
        }

        await aws.SqsAsync(server.Http, "CreateQueue", body, cancellationToken);
    }

    public static Task<JsonElement> ReceiveAsync(AwsJsonClient aws, ServerLink.Endpoints server, string queue, int visibilitySeconds,
        int waitSeconds, CancellationToken cancellationToken) =>
        aws.SqsAsync(server.Http, "ReceiveMessage", new JsonObject
        {
            ["QueueUrl"] = Url(server, queue).ToString(),
            ["MaxNumberOfMessages"] = 10,
            ["VisibilityTimeout"] = visibilitySeconds,
            ["WaitTimeSeconds"] = waitSeconds,
            ["AttributeNames"] = new JsonArray("All"),
        }, cancellationToken);

    public static IEnumerable<JsonElement> Messages(JsonElement receiveResult) =>
        receiveResult.TryGetProperty("Messages", out var messages) ? messages.EnumerateArray() : [];

    public static Task DeleteAsync(AwsJsonClient aws, ServerLink.Endpoints server, string queue, string receiptHandle, CancellationToken cancellationToken) =>
        aws.SqsAsync(server.Http, "DeleteMessage", new JsonObject
        {
            ["QueueUrl"] = Url(server, queue).ToString(),
            ["ReceiptHandle"] = receiptHandle,
        }, cancellationToken);

    /// <summary>Whether the queue holds nothing: no message visible, in flight or delayed.</summary>
    public static async Task<bool> IsEmptyAsync(AwsJsonClient aws, ServerLink.Endpoints server, string queue, CancellationToken cancellationToken)
    {
        var result = await aws.SqsAsync(server.Http, "GetQueueAttributes", new JsonObject
        {
            ["QueueUrl"] = Url(server, queue).ToString(),
            ["AttributeNames"] = new JsonArray("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"),
        }, cancellationToken);
        return result.GetProperty("Attributes").EnumerateObject().All(a => a.Value.GetString() == "0");
    }
}
