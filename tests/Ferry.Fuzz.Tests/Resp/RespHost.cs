using System.IO.Pipelines;
using Ferry.Engine;
using Ferry.Redis;
using Ferry.Transport;
using Ferry.Storage;
using Microsoft.AspNetCore.Connections;

namespace Ferry.Fuzz.Tests.Resp;

/// <summary>
/// Ferry's RESP connection handler over in-memory pipes and a real broker on an in-memory journal: an input is written
/// as a client would, the client half-closes, and whatever the connection answers is collected.
/// </summary>
internal sealed class RespHost : IAsyncDisposable
{
    /// <summary>How long a connection may keep working after its client half-closed (a blocking command waits on):
    /// then the client goes away, as Kestrel reports a reset.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(50);

    private Journal _journal = null!;
    private Broker _broker = null!;
    private RespConnectionHandler _handler = null!;

    /// <param name="password">Null for none; else connections start unauthenticated, with Redis's tighter limits.</param>
    public static async Task<RespHost> StartAsync(string? password = null)
    {
        var host = new RespHost();
        host._journal = await Journal.OpenAsync(new JournalOptions { Directory = "memory", Durability = Durability.Memory });
        host._broker = Broker.Open(host._journal, new BrokerOptions(), TimeProvider.System, startMaintenance: false);
        host._handler = new RespConnectionHandler(new RespServer(new RespOptions { Password = password }, () => host._broker, TimeProvider.System));
        return host;
    }

    /// <summary>Runs one connection that sends <paramref name="input"/>; returns what it wrote back.</summary>
    /// <exception cref="TimeoutException">The connection did not end after its client went away.</exception>
    public async Task<byte[]> RunAsync(byte[] input, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(input.Length, EventLoopConnection.MaxReadBuffer);
        // The client's bytes wait unread as on Ferry's transport: a connection blocked on a command leaves what follows
        // it unread, and up to this much of it does not hold up the client (a smaller pipe would, and the client would
        // never get to hang up).
        var fromClient = new Pipe(new PipeOptions(
            pauseWriterThreshold: EventLoopConnection.MaxReadBuffer,
            resumeWriterThreshold: EventLoopConnection.MaxReadBuffer / 2));
        var toClient = new Pipe();
        var connection = new DefaultConnectionContext("fuzz", new Duplex(fromClient.Reader, toClient.Writer), new Duplex(toClient.Reader, fromClient.Writer));
        var collected = new MemoryStream();
        var reading = toClient.Reader.CopyToAsync(collected);
        var running = _handler.OnConnectedAsync(connection);
        await fromClient.Writer.WriteAsync(input);
        await fromClient.Writer.CompleteAsync();
        if (await Task.WhenAny(running, Task.Delay(Grace)) != running)
        {
            connection.Abort(new ConnectionAbortedException("The fuzzer hung up."));
        }

        await running.WaitAsync(timeout);
        await toClient.Writer.CompleteAsync();
        await reading.WaitAsync(timeout);
        return collected.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _journal.DisposeAsync();
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
