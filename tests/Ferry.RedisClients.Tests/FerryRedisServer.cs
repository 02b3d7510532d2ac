using System.Text.RegularExpressions;
using Ferry.Server.Tests;
using StackExchange.Redis;

namespace Ferry.RedisClients.Tests;

/// <summary>A Ferry server process (in <c>fsync</c> mode unless asked otherwise) on free ports, with its data in a directory of its own (or one
/// given, to start again on the data a killed server left), and StackExchange.Redis connections to its RESP port.</summary>
internal sealed partial class FerryRedisServer : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ServerProcess _process;
    private readonly List<ConnectionMultiplexer> _connections = [];
    private bool _ended;

    private FerryRedisServer(ServerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<FerryRedisServer> StartAsync(string dataDirectory, string durability = "fsync")
    {
        var process = ServerProcess.Start(
            dataDirectory,
            ["--port", "0", "--redis-port", "0", "--data", dataDirectory, "--durability", durability]);
        try
        {
            var line = await process.WaitForLineAsync(l => RedisAddress().IsMatch(l), Patience);
            return new FerryRedisServer(process, int.Parse(RedisAddress().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public async Task<ConnectionMultiplexer> ConnectAsync(RedisProtocol protocol = RedisProtocol.Resp2)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", Port } },
            Protocol = protocol,
            AbortOnConnectFail = true,
            AllowAdmin = true,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
        };
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>Ends the server with SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        await CloseConnectionsAsync();
        if (!_ended)
        {
            _ended = true;
            _process.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task CloseConnectionsAsync()
    {
        ConnectionMultiplexer[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
            _connections.Clear();
        }

        foreach (var connection in connections)
        {
            await connection.CloseAsync(allowCommandsToComplete: false);
            await connection.DisposeAsync();
        }
    }

    [GeneratedRegex(@"redis://127\.0\.0\.1:(\d+)")]
    private static partial Regex RedisAddress();
}

/// <summary>One Ferry server shared by the tests of a class, with its data in a temporary directory.</summary>
public sealed class FerryRedisFixture : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("ferry-redis-clients-").FullName;
    private FerryRedisServer? _server;

    internal FerryRedisServer Server => _server ?? throw new InvalidOperationException("the server has not started");

    public async Task InitializeAsync() => _server = await FerryRedisServer.StartAsync(_data);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }
}
