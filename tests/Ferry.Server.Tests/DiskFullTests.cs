using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests;

/// <summary>
/// Ferry on a small tmpfs that fills up: writes are refused with each protocol's service-unavailable error, reads go
/// on, nothing acknowledged is harmed, and writes resume by themselves once space is freed. Needs root (to mount).
/// </summary>
public sealed class DiskFullTests
{
    private const int MessageBytes = 200 * 1024;

    [Fact]
    public async Task FullDisk_RefusesWrites_KeepsWhatWasAcknowledged_AndResumesWhenSpaceReturns()
    {
        using var dir = new TempDirectory();
        var mount = dir.Combine("small-disk");
        Directory.CreateDirectory(mount);
        if (!Run("mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", mount))
        {
            Assert.NotEqual(0u, GetEuid()); // only a non-root run may lack the mount; root must be able to test this
            return;
        }

        try
        {
            // Ballast takes the room the spare segment would need once the first segment is full.
            var ballast = Path.Combine(mount, "ballast");
            await File.WriteAllBytesAsync(ballast, new byte[48 * 1024 * 1024]);
            var data = Path.Combine(mount, "data");
            var acknowledged = 0;
            await using (var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", data], configDirectory: dir.Path))
            {
                await app.StartAsync(CancellationToken.None);
                using var http = new HttpClient { BaseAddress = app.Address };
                var queueUrl = (await SqsAsync(http, "CreateQueue", new { QueueName = "q" })).Json.GetProperty("QueueUrl").GetString()!;
                var body = new string('x', MessageBytes);
                HttpStatusCode status;
                JsonElement error;
                while (true)
                {
                    (status, error) = await SqsAsync(http, "SendMessage", new { QueueUrl = queueUrl, MessageBody = body });
                    if (status != HttpStatusCode.OK)
                    {
                        break;
                    }

                    acknowledged++;
                    Assert.True(acknowledged < 2000, "the disk never filled up");
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                Assert.EndsWith("ServiceUnavailable", error.GetProperty("__type").GetString(), StringComparison.Ordinal);
                Assert.True(acknowledged > 300, $"only {acknowledged} sends before the disk was full");

                // Reads go on; the other faces refuse writes in their own words.
                var (attributesStatus, attributes) = await SqsAsync(http, "GetQueueAttributes", new { QueueUrl = queueUrl, AttributeNames = new[] { "ApproximateNumberOfMessages" } });
                Assert.Equal(HttpStatusCode.OK, attributesStatus);
                Assert.Equal(acknowledged.ToString(System.Globalization.CultureInfo.InvariantCulture), attributes.GetProperty("Attributes").GetProperty("ApproximateNumberOfMessages").GetString());
                using (var sns = await http.PostAsync("/", new FormUrlEncodedContent([new("Action", "CreateTopic"), new("Version", "2010-03-31"), new("Name", "t")])))
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, sns.StatusCode);
                    Assert.Contains("<Code>ServiceUnavailable</Code>", await sns.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                }

                Assert.StartsWith("-MISCONF ", await RedisAsync(app.RedisEndPoint!, "XADD s * f v"), StringComparison.Ordinal);
                Assert.Contains("\"diskFull\":true", await http.GetStringAsync("/health"), StringComparison.Ordinal);

                // Maintenance is background work: a round runs while the disk is full (and would free space).
                await app.Services.GetRequiredService<BrokerService>().Broker.MaintainOnceAsync();

                // Space returns: writes resume without a restart.
                File.Delete(ballast);
                var resumed = false;
                for (var i = 0; i < 50 && !resumed; i++)
                {
                    await Task.Delay(100);
                    (status, _) = await SqsAsync(http, "SendMessage", new { QueueUrl = queueUrl, MessageBody = "after" });
                    resumed = status == HttpStatusCode.OK;
                }

                Assert.True(resumed, "writes did not resume after space was freed");
                acknowledged++;
                Assert.StartsWith("$", await RedisAsync(app.RedisEndPoint!, "XADD s * f v"), StringComparison.Ordinal);
            }

            // Every acknowledged message is still there after a restart.
            await using (var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", data], configDirectory: dir.Path))
            {
                await app.StartAsync(CancellationToken.None);
                using var http = new HttpClient { BaseAddress = app.Address };
                var queueUrl = (await SqsAsync(http, "GetQueueUrl", new { QueueName = "q" })).Json.GetProperty("QueueUrl").GetString()!;
                var (_, attributes) = await SqsAsync(http, "GetQueueAttributes", new { QueueUrl = queueUrl, AttributeNames = new[] { "ApproximateNumberOfMessages" } });
                Assert.Equal(acknowledged.ToString(System.Globalization.CultureInfo.InvariantCulture), attributes.GetProperty("Attributes").GetProperty("ApproximateNumberOfMessages").GetString());
            }
        }
        finally
        {
            Run("umount", "-l", mount);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> SqsAsync(HttpClient http, string action, object request)
    {
        using var content = new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var message = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        message.Headers.Add("X-Amz-Target", "AmazonSQS." + action);
        using var response = await http.SendAsync(message);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>Sends one inline command and returns the first line of the reply.</summary>
    private static async Task<string> RedisAsync(IPEndPoint endpoint, string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"));
        var buffer = new byte[4096];
        var n = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n).Split("\r\n")[0];
    }

    private static bool Run(string file, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
