using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ferry.Server.Tests;

public sealed class DeclaredQueueTests
{
    private static readonly string[] Declarations =
    [
        "--Ferry:Queues:orders:Attributes:VisibilityTimeout=60",
        "--Ferry:Queues:orders:Tags:team=billing",
        "--Ferry:Queues:orders:DeadLetterQueue=orders-dlq",
        "--Ferry:Queues:orders:MaxReceiveCount=5",
        "--Ferry:Queues:orders-dlq:Attributes:MessageRetentionPeriod=1209600",
        "--Ferry:Queues:events.fifo:Attributes:ContentBasedDeduplication=true",
    ];

    private static async Task<JsonElement> CallAsync(HttpClient http, string action, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        request.Headers.Add("X-Amz-Target", "AmazonSQS." + action);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<Dictionary<string, string>> AttributesAsync(HttpClient http, string name)
    {
        var url = (await CallAsync(http, "GetQueueUrl", new { QueueName = name })).GetProperty("QueueUrl").GetString();
        var attributes = (await CallAsync(http, "GetQueueAttributes", new { QueueUrl = url, AttributeNames = new[] { "All" } })).GetProperty("Attributes");
        return attributes.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    [Fact]
    public async Task DeclaredQueues_ExistAtStart_WithTheirAttributesAndDeadLetterQueue_AndRedeclaringIsNotAnError()
    {
        using var dir = new TempDirectory();
        for (var run = 0; run < 2; run++)
        {
            await using var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", dir.Path, .. Declarations], configDirectory: dir.Path);
            await app.StartAsync(CancellationToken.None);
            using var http = new HttpClient { BaseAddress = app.Address };

            var orders = await AttributesAsync(http, "orders");
            Assert.Equal("60", orders["VisibilityTimeout"]);
            Assert.Contains("arn:aws:sqs:us-east-1:000000000000:orders-dlq", orders["RedrivePolicy"], StringComparison.Ordinal);
            Assert.Contains("\"maxReceiveCount\":5", orders["RedrivePolicy"], StringComparison.Ordinal);
            Assert.Equal("1209600", (await AttributesAsync(http, "orders-dlq"))["MessageRetentionPeriod"]);
            var fifo = await AttributesAsync(http, "events.fifo");
            Assert.Equal("true", fifo["FifoQueue"]);
            Assert.Equal("true", fifo["ContentBasedDeduplication"]);
            var url = (await CallAsync(http, "GetQueueUrl", new { QueueName = "orders" })).GetProperty("QueueUrl").GetString();
            var tags = (await CallAsync(http, "ListQueueTags", new { QueueUrl = url })).GetProperty("Tags");
            Assert.Equal("billing", tags.GetProperty("team").GetString());
            await app.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ChangedDeclaration_UpdatesTheExistingQueue()
    {
        using var dir = new TempDirectory();
        await using (var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", dir.Path, "--Ferry:Queues:q:Attributes:VisibilityTimeout=10"], configDirectory: dir.Path))
        {
            await app.StartAsync(CancellationToken.None);
            await app.StopAsync(CancellationToken.None);
        }

        await using (var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", dir.Path, "--Ferry:Queues:q:Attributes:VisibilityTimeout=20"], configDirectory: dir.Path))
        {
            await app.StartAsync(CancellationToken.None);
            using var http = new HttpClient { BaseAddress = app.Address };
            Assert.Equal("20", (await AttributesAsync(http, "q"))["VisibilityTimeout"]);
            await app.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task InvalidDeclaration_StopsStartWithTheQueueNameAndReason()
    {
        using var dir = new TempDirectory();
        await using var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", dir.Path, "--Ferry:Queues:bad:Attributes:VisibilityTimeout=99999"], configDirectory: dir.Path);
        var ex = await Assert.ThrowsAsync<Ferry.Aws.QueueDeclarationException>(() => app.StartAsync(CancellationToken.None));
        Assert.Contains("'bad'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("VisibilityTimeout", ex.Message, StringComparison.Ordinal);
    }
}
