using System.Collections.Concurrent;
using Ferry.Engine;

namespace Ferry.Redis;

/// <summary>What the RESP connections share: options, the broker, the list of clients (CLIENT LIST, INFO) and
/// counters.</summary>
public sealed class RespServer(RespOptions options, Func<Broker> broker, TimeProvider time)
{
    private long _nextClientId;
    private long _connectionsReceived;
    private long _commandsProcessed;

    internal ConcurrentDictionary<long, RespConnection> Clients { get; } = new();

    public RespOptions Options { get; } = options;

    public Broker Broker => broker();

    public TimeProvider Time { get; } = time;

    internal DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>The port the listener is bound to (INFO tcp_port), set by the host once it listens.</summary>
    public int Port { get; set; }

    internal long ConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    internal long CommandsProcessed => Interlocked.Read(ref _commandsProcessed);

    internal void CountCommands(long n) => Interlocked.Add(ref _commandsProcessed, n);

    internal long Register(RespConnection connection)
    {
        var id = Interlocked.Increment(ref _nextClientId);
        Interlocked.Increment(ref _connectionsReceived);
        Clients[id] = connection;
        return id;
    }

    internal void Unregister(long id) => Clients.TryRemove(id, out _);
}
