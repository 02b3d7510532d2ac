using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ferry.Aws;

namespace Ferry.Server.Tests;

/// <summary>A Ferry server started in-process on a free loopback port.</summary>
public sealed class HostTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private FerryApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", _dir.Path, "--durability", "interval:5"], configDirectory: _dir.Path);
        await _app.StartAsync(CancellationToken.None);
        _http.BaseAddress = _app.Address;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // xunit calls this after DisposeAsync, once the server is down.
    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Start_OnPortZero_BindsAFreeLoopbackPort()
    {
        Assert.Equal("127.0.0.1", _app.Address.Host);
        Assert.NotEqual(0, _app.Address.Port);
        Assert.True(Directory.Exists(Path.Combine(_dir.Path, "journal")));
        Assert.NotNull(_app.Services.GetRequiredService<JournalService>().Journal);
    }

    [Fact]
    public async Task Health_Answers200WithStatusDurabilityAndTheJournalsCounters()
    {
        using var response = await _http.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("interval:5", json.RootElement.GetProperty("durability").GetString());
        Assert.True(json.RootElement.GetProperty("uptimeSeconds").GetInt64() >= 0);
        var memory = json.RootElement.GetProperty("memory");
        Assert.True(memory.GetProperty("gcAllocatedBytes").GetInt64() > 0);
        Assert.True(memory.GetProperty("gcPauseMilliseconds").GetInt64() >= 0);
        Assert.Equal(3, memory.GetProperty("gcCollections").GetArrayLength());
        var before = json.RootElement.GetProperty("journal").Clone();
        Assert.True(before.GetProperty("segments").GetInt32() >= 0);

        // A queue's creation is one record, written and made durable.
        await CreateQueueAsync(_http, "counted");

        using var after = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        var journal = after.RootElement.GetProperty("journal");
        long Grew(string counter) => journal.GetProperty(counter).GetInt64() - before.GetProperty(counter).GetInt64();
        Assert.Equal(1, Grew("appends"));
        Assert.InRange(Grew("batches"), 1, 2);
        Assert.True(Grew("positionBytes") > 0);
        Assert.True(journal.GetProperty("segments").GetInt32() >= 1);
        var maintenance = after.RootElement.GetProperty("maintenance");
        Assert.Equal(0, maintenance.GetProperty("failures").GetInt64());
        Assert.Equal(JsonValueKind.Null, maintenance.GetProperty("lastFailure").ValueKind);
    }

    [Fact]
    public async Task FailedMaintenance_IsReportedInHealth_AndRetriedUntilTheCheckpointIsWritten()
    {
        using var dir = new TempDirectory();
        await using var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", dir.Path, "--Ferry:CheckpointInterval=50"], configDirectory: dir.Path);
        await app.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(10) };
        var journal = Path.Combine(dir.Path, "journal");

        // The checkpoint cannot be written (as on a full disk): a directory stands where its temporary file goes.
        var blocker = Path.Combine(journal, "checkpoint.tmp");
        Directory.CreateDirectory(blocker);
        File.Delete(Path.Combine(journal, "checkpoint"));
        await CreateQueueAsync(http, "grows-the-journal");
        var failures = await WaitForHealthAsync(http, health => health.GetProperty("maintenance").GetProperty("failures").GetInt64() >= 2);
        Assert.Contains("checkpoint.tmp", failures.GetProperty("maintenance").GetProperty("lastFailure").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(journal, "checkpoint")));

        // Rounds go on: once the path is free, the checkpoint is written.
        Directory.Delete(blocker);
        await CreateQueueAsync(http, "after");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(Path.Combine(journal, "checkpoint")))
        {
            Assert.True(DateTime.UtcNow < deadline, "no checkpoint after the path was freed");
            await Task.Delay(20);
        }
    }

    private static async Task CreateQueueAsync(HttpClient http, string name)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent($"{{\"QueueName\":\"{name}\"}}", Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        create.Headers.Add("X-Amz-Target", "AmazonSQS.CreateQueue");
        using var created = await http.SendAsync(create);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
    }

    private static async Task<JsonElement> WaitForHealthAsync(HttpClient http, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative)));
            if (condition(health.RootElement))
            {
                return health.RootElement.Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, "health never showed it");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Response_HasNoServerHeader()
    {
        using var response = await _http.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Empty(response.Headers.Server);
    }

    [Fact]
    public async Task ContentLengthOverLimit_Gets413BeforeAnyBodyIsSent()
    {
        // Only the headers go out: a 413 that arrives anyway proves the body was never waited for.
        var head = await SendHeadersOnlyAsync("POST / HTTP/1.1\r\nHost: localhost\r\n" +
            $"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {AwsLimits.MaxRequestBodyBytes + 1}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 413 ", head, StringComparison.Ordinal);
        Assert.Contains("Connection: close", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ContentLengthAtLimit_IsNotRefusedForSize()
    {
        var head = await SendHeadersOnlyAsync("POST /health HTTP/1.1\r\nHost: localhost\r\n" +
            $"Content-Length: {AwsLimits.MaxRequestBodyBytes}\r\n\r\n");

        Assert.DoesNotContain(" 413 ", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_ClosesTheJournalAfterKestrel()
    {
        var journal = _app.Services.GetRequiredService<JournalService>();

        await _app.StopAsync(CancellationToken.None);

        Assert.Throws<InvalidOperationException>(() => journal.Journal);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _http.GetAsync(new Uri("/health", UriKind.Relative)));
    }

    private async Task<string> SendHeadersOnlyAsync(string request)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _app.Address.Port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);

        var buffer = new byte[4096];
        var received = new StringBuilder();
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, cts.Token);
            if (n == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return received.ToString();
    }
}

/// <summary>A server whose data lives in memory touches no disk.</summary>
public sealed class MemoryHostTests
{
    [Fact]
    public async Task MemoryDurability_StartsWithoutADataDirectory()
    {
        using var dir = new TempDirectory();
        await using var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--durability", "memory"], configDirectory: dir.Path, currentDirectory: dir.Path);

        await app.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = app.Address };
        using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
