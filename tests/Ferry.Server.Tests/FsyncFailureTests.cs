using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ferry.Server.Tests;

/// <summary>
/// A failed fdatasync (EIO injected with strace) stops the server process as designed, with one critical line;
/// what it acknowledged before is there when it starts again.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed partial class FsyncFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FailedFdatasync_StopsTheProcess_AndKeepsWhatWasAcknowledged()
    {
        using var dir = new TempDirectory();
        var data = dir.Combine("data");
        string[] args = ["--port", "0", "--redis-port", "0", "--data", data, "--durability", "fsync"];

        // From the 60th fdatasync on, every one fails with EIO: start-up and the first sends get through.
        string[] strace = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fdatasync", "-e", "inject=fdatasync:error=EIO:when=60+", "--"];
        var acknowledged = 0;
        using (var server = ServerProcess.StartUnder(strace, dir.Path, args))
        {
            var address = ListeningOn().Match(await server.WaitForLineAsync(l => l.Contains("Listening on", StringComparison.Ordinal), Patience)).Groups[1].Value;
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = Patience };
            var queueUrl = (await SqsAsync(http, "CreateQueue", new { QueueName = "q" })).Json!.Value.GetProperty("QueueUrl").GetString()!;
            while (true)
            {
                var (status, _) = await SqsAsync(http, "SendMessage", new { QueueUrl = queueUrl, MessageBody = "m" + acknowledged });
                if (status != HttpStatusCode.OK)
                {
                    break;
                }

                acknowledged++;
                Assert.True(acknowledged < 1000, "the injected fdatasync failure never happened");
            }

            var exitCode = await server.WaitForExitAsync(Patience);
            Assert.NotEqual(0, exitCode);
            Assert.Contains(server.Output, l => l.Contains("the journal can no longer guarantee durability", StringComparison.Ordinal));
        }

        Assert.True(acknowledged > 5, $"only {acknowledged} sends before the failure");
        using (var server = ServerProcess.Start(dir.Path, args))
        {
            var address = ListeningOn().Match(await server.WaitForLineAsync(l => l.Contains("Listening on", StringComparison.Ordinal), Patience)).Groups[1].Value;
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = Patience };
            var queueUrl = (await SqsAsync(http, "GetQueueUrl", new { QueueName = "q" })).Json!.Value.GetProperty("QueueUrl").GetString()!;
            var (_, attributes) = await SqsAsync(http, "GetQueueAttributes", new { QueueUrl = queueUrl, AttributeNames = new[] { "ApproximateNumberOfMessages" } });
            var stored = int.Parse(attributes!.Value.GetProperty("Attributes").GetProperty("ApproximateNumberOfMessages").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

            // A send whose fdatasync failed was not acknowledged, but its write may still be in the page cache.
            Assert.True(stored >= acknowledged, $"{stored} messages after the restart, {acknowledged} acknowledged");
            server.Terminate();
            await server.WaitForExitAsync(Patience);
        }
    }

    /// <summary>One SQS JSON call; a connection the dying server drops answers as a 503 without a body.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement? Json)> SqsAsync(HttpClient http, string action, object request)
    {
        using var content = new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var message = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        message.Headers.Add("X-Amz-Target", "AmazonSQS." + action);
        try
        {
            using var response = await http.SendAsync(message);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, json.RootElement.Clone());
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
        {
            return (HttpStatusCode.ServiceUnavailable, null);
        }
    }

    [GeneratedRegex(@"Listening on (http://[0-9.:]+)")]
    private static partial Regex ListeningOn();
}
