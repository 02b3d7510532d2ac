using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Engine;
using Ferry.Transport;
using Ferry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Redis.Tests;

/// <summary>Ferry's RESP listener on a loopback port over a broker with a journal in a temporary directory.</summary>
internal sealed class RespTestServer : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ferry-resp-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private Journal? _journal;
    private Broker? _broker;

    public int Port { get; private set; }

    /// <summary>Starts a server on Ferry's event loop where it runs (as Ferry.Server does), else or when
    /// <paramref name="eventLoop"/> is false on Kestrel's socket transport.</summary>
    public static async Task<RespTestServer> StartAsync(RespOptions? options = null, bool eventLoop = true)
    {
        var server = new RespTestServer();
        await server.OpenAsync(options ?? new RespOptions(), eventLoop && EventLoopTransportFactory.Supported);
        return server;
    }

    private async Task OpenAsync(RespOptions options, bool eventLoop)
    {
        _journal = await Journal.OpenAsync(new JournalOptions { Directory = _directory, SegmentSize = 1 << 20 });
        _broker = Broker.Open(_journal, new BrokerOptions(), TimeProvider.System, startMaintenance: false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var resp = new RespServer(options, () => _broker, TimeProvider.System);
        builder.Services.AddSingleton(resp);
        ListenOptions? listen = null;
        var journal = _journal;
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp => new EventLoopTransportFactory(() => journal, sp.GetRequiredService<IMemoryPoolFactory<byte>>()));
        EndPoint endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        if (eventLoop)
        {
            endPoint = new EventLoopEndPoint((IPEndPoint)endPoint, "resp-loop");
        }

        builder.WebHost.ConfigureKestrel(k => k.Listen(endPoint, l =>
        {
            l.UseConnectionHandler<RespConnectionHandler>();
            listen = l;
        }));
        _app = builder.Build();
        await _app.StartAsync();
        Port = listen!.EndPoint switch
        {
            IPEndPoint ip => ip.Port,
            EventLoopEndPoint e => e.IPEndPoint.Port,
            _ => throw new InvalidOperationException("unexpected endpoint"),
        };
        resp.Port = Port;
    }

    public async Task<RespClient> ConnectAsync()
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        socket.NoDelay = true;
        return new RespClient(socket);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (_journal is not null)
        {
            await _journal.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A minimal RESP client for tests: sends commands as multibulk (or raw bytes) and reads one reply as its
/// exact wire text, so tests compare against what Redis sends byte for byte.</summary>
internal sealed class RespClient(TcpClient socket) : IDisposable
{
    private readonly NetworkStream _stream = socket.GetStream();
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;

    public static byte[] Encode(params string[] args)
    {
        var text = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public Task SendRawAsync(string raw) => SendRawAsync(Encoding.UTF8.GetBytes(raw));

    public async Task SendRawAsync(byte[] raw) => await _stream.WriteAsync(raw);

    /// <summary>Sends a command and returns its reply's wire text.</summary>
    public async Task<string> CallAsync(params string[] args)
    {
        await SendRawAsync(Encode(args));
        return await ReadAsync();
    }

    /// <summary>Reads one complete reply (with nested aggregates) and returns its wire text.</summary>
    public async Task<string> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var text = new StringBuilder();
        await ReadValueAsync(text, cts.Token);
        return text.ToString();
    }

    /// <summary>True when the server closed the connection (after reading what is left).</summary>
    public async Task<bool> IsClosedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                if (_start < _end)
                {
                    _start = _end;
                }

                var n = await _stream.ReadAsync(_buffer, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken token)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var i = span.IndexOf("\r\n"u8);
            if (i >= 0)
            {
                var line = Encoding.UTF8.GetString(span[..i]);
                _start += i + 2;
                return line;
            }

            await FillAsync(token);
        }
    }

    private async Task FillAsync(CancellationToken token)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), token);
        if (n == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        _end += n;
    }

    private async Task ReadValueAsync(StringBuilder text, CancellationToken token)
    {
        var line = await ReadLineAsync(token);
        text.Append(line).Append("\r\n");
        var kind = line[0];
        var n = line.Length > 1 && long.TryParse(line.AsSpan(1), out var v) ? v : 0;
        switch (kind)
        {
            case '$' or '=' when n >= 0:
                while (_end - _start < n + 2)
                {
                    await FillAsync(token);
                }

                text.Append(Encoding.UTF8.GetString(_buffer, _start, (int)n)).Append("\r\n");
                _start += (int)n + 2;
                break;
            case '*' or '~' or '>':
                for (var i = 0; i < n; i++)
                {
                    await ReadValueAsync(text, token);
                }

                break;
            case '%':
                for (var i = 0; i < n * 2; i++)
                {
                    await ReadValueAsync(text, token);
                }

                break;
            default:
                break;
        }
    }

    public void Dispose() => socket.Dispose();
}
