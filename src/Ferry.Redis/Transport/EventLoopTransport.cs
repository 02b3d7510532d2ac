using System.Net;
using System.Net.Sockets;
using Ferry.Storage;
using Microsoft.AspNetCore.Connections;

namespace Ferry.Redis.Transport;

/// <summary>Where Kestrel should listen with the event-loop transport: an IP endpoint, marked so that only
/// <see cref="EventLoopTransportFactory"/> binds it.</summary>
public sealed class EventLoopEndPoint(IPEndPoint endPoint) : EndPoint
{
    public IPEndPoint IPEndPoint { get; } = endPoint;

    public override AddressFamily AddressFamily => IPEndPoint.AddressFamily;

    public override string ToString() => IPEndPoint.ToString();
}

/// <summary>Kestrel's transport for <see cref="EventLoopEndPoint"/>s: one event loop per listener.</summary>
/// <remarks>Each pass of a loop over its ready sockets is a group of the journal (<see cref="Journal.BeginGroup"/>):
/// the commands of one pass share one fdatasync, as redis-server's do.</remarks>
public sealed class EventLoopTransportFactory(Func<Journal> journal) : IConnectionListenerFactory, IConnectionListenerFactorySelector
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

        return new(EventLoopListener.Bind(target.IPEndPoint, journal()));
    }
}

internal sealed class EventLoopListener : IConnectionListener
{
    private const int Backlog = 512;

    private readonly Socket _socket;
    private readonly EventLoop _loop;

    private EventLoopListener(Socket socket, EventLoop loop)
    {
        _socket = socket;
        _loop = loop;
        EndPoint = new EventLoopEndPoint((IPEndPoint)socket.LocalEndPoint!);
    }

    public EndPoint EndPoint { get; }

    public static EventLoopListener Bind(IPEndPoint endPoint, Journal journal)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new EventLoopListener(socket, new EventLoop("resp-loop", journal));
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
            var connection = new EventLoopConnection(accepted, _loop);
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
        return ValueTask.CompletedTask;
    }
}
