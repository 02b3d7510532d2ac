using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Ferry.Server.Tests.Limits;

/// <summary>
/// One Ferry server process for the resource-limit tests (in memory, both ports free), so that its memory is measured
/// apart from the test runner's: <see cref="ResidentBytes"/> reads the child's VmRSS.
/// </summary>
public sealed partial class LimitsServer : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private ServerProcess _process = null!;

    public Uri Address { get; private set; } = null!;

    public int RedisPort { get; private set; }

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _process = ServerProcess.Start(_dir.Path, ["--port", "0", "--redis-port", "0", "--data", _dir.Combine("data"), "--durability", "memory"]);
        var line = await _process.WaitForLineAsync(l => l.Contains("Listening on", StringComparison.Ordinal), Patience);
        var match = Addresses().Match(line);
        Assert.True(match.Success, $"unexpected start-up line: {line}");
        Address = new Uri(match.Groups["http"].Value);
        RedisPort = int.Parse(match.Groups["redis"].Value, CultureInfo.InvariantCulture);
        Http = CreateClient();
    }

    /// <summary>A client of its own, for a test that opens thousands of connections and must close them after.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>The server's resident memory now, after letting it settle for a moment.</summary>
    public async Task<long> ResidentBytesAsync()
    {
        await Task.Delay(500);
        return _process.ResidentBytes();
    }

    /// <summary>The server still answers, after whatever a test did to it.</summary>
    public async Task AssertHealthyAsync()
    {
        using var response = await Http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var failures = _process.Output.Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, "the server logged failures:\n" + string.Join("\n", failures));
    }

    /// <summary>Posts an AWS request and returns its status and body.</summary>
    public Task<(int Status, string Body)> PostAsync(string? target, string contentType, byte[] body) => PostAsync(Http, target, contentType, body);

    public async Task<(int Status, string Body)> PostAsync(HttpClient http, string? target, string contentType, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        if (target is not null)
        {
            request.Headers.Add("X-Amz-Target", target);
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<(int Status, string Body)> PostAsync(string? target, string contentType, string body) =>
        PostAsync(target, contentType, Encoding.UTF8.GetBytes(body));

    /// <summary>A new RESP connection still gets PONG.</summary>
    public async Task AssertRedisAnswersAsync()
    {
        using var ping = await ConnectRedisAsync();
        await ping.GetStream().WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[16];
        var read = await ping.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("+PONG\r\n", Encoding.ASCII.GetString(buffer, 0, read));
    }

    /// <summary>A raw RESP connection.</summary>
    public async Task<TcpClient> ConnectRedisAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, RedisPort);
        return client;
    }

    public async Task DisposeAsync()
    {
        _process.Terminate();
        await _process.WaitForExitAsync(Patience);
        _process.Dispose();
    }

    // xunit calls this after DisposeAsync, once the server is down.
    public void Dispose()
    {
        Http?.Dispose();
        _dir.Dispose();
    }

    [GeneratedRegex(@"Listening on (?<http>http://127\.0\.0\.1:[0-9]+) and redis://127\.0\.0\.1:(?<redis>[0-9]+),")]
    private static partial Regex Addresses();
}

/// <summary>The limit tests share one server process and run alone, so that its memory is theirs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LimitsCollection : ICollectionFixture<LimitsServer>
{
    public const string Name = "Resource limits";
}

/// <summary>
/// How hard the limit tests push: the normal run scales counts down to stay fast; <c>FERRY_LIMITS_FULL=1</c> runs
/// the full counts (10,000 connections, 10,000 long polls) and the 30-second slowloris.
/// </summary>
internal static class LimitScale
{
    public static bool Full => Environment.GetEnvironmentVariable("FERRY_LIMITS_FULL") == "1";

    public static int Count(int full, int normal) => Full ? full : normal;
}
