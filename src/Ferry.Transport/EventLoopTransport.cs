using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Ferry.Storage;
using Microsoft.AspNetCore.Connections;

namespace Ferry.Transport;

/// <summary>Where Kestrel should listen with the event-loop transport: an IP endpoint, marked so that only
/// <see cref="EventLoopTransportFactory"/> binds it, and the name of its loop's thread.</summary>
public sealed class EventLoopEndPoint(IPEndPoint endPoint, string loopName) : EndPoint
{
    public IPEndPoint IPEndPoint { get; } = endPoint;

    /// <summary>The loop thread's name (at most 15 characters show in <c>/proc/&lt;pid&gt;/task/*/comm</c>).</summary>
    public string LoopName { get; } = loopName;

    /// <summary>Whether the loop syncs a small pass itself as it ends it (<see cref="Journal.EndGroup(bool)"/>) rather
    /// than handing it to the journal's flusher: for requests that cost less than the hand-off.</summary>
    public bool SyncsSmallPasses { get; init; }

    public override AddressFamily AddressFamily => IPEndPoint.AddressFamily;

    public override string ToString() => IPEndPoint.ToString();
}

/// <summary>Kestrel's transport for <see cref="EventLoopEndPoint"/>s: one event loop per listener.</summary>
/// <remarks>Each pass of a loop over its ready sockets is a group of the journal (<see cref="Journal.BeginGroup"/>):
/// the commands and requests of one pass share one fdatasync, as redis-server's commands do. The connections' pipes
/// and Kestrel's HTTP layer above them take their buffers from one pool per listener, made by
/// <paramref name="pools"/> (Kestrel's own, as its socket transport uses).</remarks>
public sealed class EventLoopTransportFactory(Func<Journal> journal, IMemoryPoolFactory<byte> pools) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>Whether this machine can run the event loop (Linux on x86-64).</summary>
    public static bool Supported => Native.Supported;

    public bool CanBind(EndPoint endpoint) => endpoint is EventLoopEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not EventLoopEndPoint target)
        {
            throw new NotSupportedException($"The event-loop transport cannot bind {endpoint}.");
        }

        return new(EventLoopListener.Bind(target, journal(), pools.Create(new MemoryPoolOptions { Owner = target.LoopName })));
    }
}

internal sealed class EventLoopListener : IConnectionListener
{
    private const int Backlog = 512;

    private readonly Socket _socket;
    private readonly EventLoop _loop;
    private readonly MemoryPool<byte> _pool;

    private EventLoopListener(Socket socket, EventLoop loop, MemoryPool<byte> pool, string loopName)
    {
        _socket = socket;
        _loop = loop;
        _pool = pool;
        EndPoint = new EventLoopEndPoint((IPEndPoint)socket.LocalEndPoint!, loopName);
    }

    public EndPoint EndPoint { get; }

    public static EventLoopListener Bind(EventLoopEndPoint target, Journal journal, MemoryPool<byte> pool)
    {
        var endPoint = target.IPEndPoint;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
            return new EventLoopListener(socket, new EventLoop(target.LoopName, journal, target.SyncsSmallPasses), pool, target.LoopName);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            pool.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            pool.Dispose();
            throw;
        }
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException)
            {
                // A connection reset before it was accepted: take the next one.
                continue;
            }

            accepted.NoDelay = true;
            accepted.Blocking = false;
            var connection = new EventLoopConnection(accepted, _loop, _pool);
            _loop.Add(connection);
            return connection;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _loop.Dispose();
        _pool.Dispose();
        return ValueTask.CompletedTask;
    }
}
