using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Ferry.Engine;
using Ferry.Engine.RedisPubSub;
using Ferry.Engine.RedisStreams;
using Ferry.Redis.Protocol;
using Ferry.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Ferry.Redis;

/// <summary>
/// One client connection: reads commands from the input pipe, runs them and writes replies in order.
/// </summary>
/// <remarks>
/// <para>All complete frames of one read are processed as a batch and the replies are flushed once. A command whose
/// reply waits for durability (XADD, XACK) is deferred: the following deferrable commands of the batch append too,
/// so a pipeline of them shares one group commit; any other command first waits for the deferred replies, so
/// replies always leave in command order.</para>
/// <para>Published messages are queued by the publisher's thread and written by a pump that takes the same output
/// gate as the command loop; a subscriber whose queue passes the configured limit is disconnected.</para>
/// </remarks>
// The output gate is a SemaphoreSlim whose wait handle is never used: it owns nothing that needs disposing.
#pragma warning disable CA1001
internal sealed partial class RespConnection : IPubSubSubscriber
#pragma warning restore CA1001
{
    private readonly RespServer _server;
    private readonly ConnectionContext _context;
    private readonly RespArgs _args = new();
    private readonly RespWriter _w;
    private readonly SemaphoreSlim _outputGate = new(1, 1);
    private readonly Queue<Deferred> _deferred = new();
    private readonly CancellationToken _closed;
    private readonly CancellationToken _stopping;
    private Channel<Push>? _pushes;
    private long _queuedBytes;
    private bool _closeAfterReply;

    /// <summary>When the last command ran, from the coarse monotonic clock: read for every command, it costs a fraction
    /// of the precise clock (an XADD read that one twice), and CLIENT LIST shows idle time in whole seconds.</summary>
    private long _lastCommandTicks;

    public RespConnection(RespServer server, ConnectionContext context)
    {
        _server = server;
        _context = context;
        _w = new RespWriter(context.Transport.Output);
        // Closed, or asked to close because the server is stopping: Kestrel waits for every connection of a stop
        // until its drain timeout, so a connection that only waits for its client (idle, or blocked in XREAD) ends at
        // once, as redis-server closes its clients at shutdown. A reply waiting for durability is still written first.
        // The linked source lives as long as the connection's own tokens; it is not disposed, since the pub/sub pump
        // may still be waiting on it when the command loop ends.
        // ConnectionClosed also fires when the client only closed its side (FIN) after its last commands: it ends what
        // waits on the client (blocking reads, the pub/sub pump), never the command loop, which still runs and answers
        // what arrived before the FIN, as redis-server does (`echo 'XADD s * f v' | nc -N`). The loop ends at the
        // input's end, at a reset (the transport fails the input), or when the server stops.
        var stopping = context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        _stopping = stopping;
        _closed = stopping.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed, stopping).Token
            : context.ConnectionClosed;
        Authenticated = server.Options.Password is null;
        CreatedAt = server.Time.GetUtcNow();
        _lastCommandTicks = Environment.TickCount64;
        Id = server.Register(this);
    }

    public long Id { get; }

    public string? Name { get; private set; }

    public string? LibName { get; private set; }

    public string? LibVersion { get; private set; }

    public bool Authenticated { get; private set; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Since the last command (CLIENT LIST's idle=).</summary>
    public TimeSpan Idle => TimeSpan.FromMilliseconds(Environment.TickCount64 - _lastCommandTicks);

    public string LastCommand { get; private set; } = "NULL";

    private Broker Broker => _server.Broker;

    private RedisStreams Streams => Broker.RedisStreams;

    private RespOptions Options => _server.Options;

    public async Task RunAsync()
    {
        var input = _context.Transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_stopping).ConfigureAwait(false);
                var buffer = result.Buffer;
                var quit = false;
                await _outputGate.WaitAsync(_stopping).ConfigureAwait(false);
                try
                {
                    quit = await ProcessAsync(buffer).ConfigureAwait(false);
                    buffer = _rest;

                    // The loop of DrainDeferredAsync, here: this method's state machine lasts as long as the connection,
                    // so waiting for an fsync allocates nothing, where a DrainDeferredAsync would be allocated per XADD.
                    while (_deferred.TryPeek(out var deferred))
                    {
                        if (!deferred.IsCompleted)
                        {
                            await new DeferredReady(deferred);
                        }

                        WriteDeferred(_deferred.Dequeue());
                    }

                    await FlushAsync().ConfigureAwait(false);
                }
                finally
                {
                    _outputGate.Release();
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (quit || _closeAfterReply || result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ConnectionResetException)
        {
        }
        catch (JournalUnavailableException)
        {
            // The journal failed: the server is stopping; nothing can be acknowledged any more.
        }
        catch (InvalidOperationException) when (_closed.IsCancellationRequested)
        {
        }
        finally
        {
            Cleanup();
        }
    }

    /// <summary>Parses and runs every complete command in <paramref name="buffer"/>; true when the connection must
    /// close after the replies (QUIT, a protocol error).</summary>
    private ValueTask<bool> ProcessAsync(ReadOnlySequence<byte> buffer)
    {
        var commands = 0;
        while (true)
        {
            var status = RespParser.TryParse(ref buffer, _args, new RespLimits(Options.MaxBulkLength, Authenticated), out var error);
            if (status == ParseStatus.Incomplete)
            {
                break;
            }

            if (status == ParseStatus.Error)
            {
                _rest = buffer;
                _server.CountCommands(commands);
                return ProtocolErrorAsync(error!);
            }

            commands++;
            var run = ExecuteAsync();
            if (!run.IsCompletedSuccessfully || _closeAfterReply)
            {
                _rest = buffer;
                _server.CountCommands(commands);
                return ContinueAsync(run);
            }
        }

        _rest = buffer;
        _server.CountCommands(commands);
        return ValueTask.FromResult(false);
    }

    /// <summary>The slow path of <see cref="ProcessAsync"/>: a command awaited something; the frames after it are
    /// processed once it finished (the pipe's buffer stays valid until AdvanceTo).</summary>
    private async ValueTask<bool> ContinueAsync(ValueTask run)
    {
        await run.ConfigureAwait(false);
        if (_closeAfterReply)
        {
            return true;
        }

        return await ProcessAsync(_rest).ConfigureAwait(false);
    }

    /// <summary>What is left of the read buffer after the last processed frame.</summary>
    private ReadOnlySequence<byte> _rest;

    private async ValueTask<bool> ProtocolErrorAsync(string error)
    {
        await DrainDeferredAsync().ConfigureAwait(false);
        _w.Error("ERR " + error);
        return true;
    }

    private ValueTask FlushAsync()
    {
        if (_w.Unflushed == 0)
        {
            return ValueTask.CompletedTask;
        }

        _w.ResetUnflushed();
        // Without a token: a cancelled flush returns before it commits what was written, so the replies would be lost.
        // A flush waits only while the client does not read; a reset ends the wait through the transport.
        var flush = _w.Output.FlushAsync(CancellationToken.None);
        return flush.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitFlush(flush);
    }

    private async ValueTask AwaitFlush(ValueTask<FlushResult> flush)
    {
        // A client that reads none of its replies would hold a stop for the whole drain time, since the transport sends
        // what was written before it closes: at a stop its output is dropped, as redis-server drops it at shutdown.
        using var stop = _stopping.UnsafeRegister(
            static c => ((ConnectionContext)c!).Abort(new ConnectionAbortedException("The server is stopping.")), _context);
        await flush.ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- deferred replies

    private enum DeferredKind : byte
    {
        AddedId,
        Count,
        Error,
    }

    /// <summary>A reply that waits for durability: an XADD id, an XACK count, or an error that must keep its place.</summary>
    private readonly struct Deferred
    {
        public DeferredKind Kind { get; init; }

        public ValueTask<StreamId?> Added { get; init; }

        public ValueTask<long> Count { get; init; }

        public string? Error { get; init; }

        /// <summary>Whether the reply can be written without waiting (an error always can).</summary>
        public bool IsCompleted => Kind switch
        {
            DeferredKind.AddedId => Added.IsCompleted,
            DeferredKind.Count => Count.IsCompleted,
            _ => true,
        };
    }

    private async ValueTask DrainDeferredAsync()
    {
        while (_deferred.TryPeek(out var deferred))
        {
            if (!deferred.IsCompleted)
            {
                await new DeferredReady(deferred);
            }

            WriteDeferred(_deferred.Dequeue());
        }
    }

    /// <summary>Writes the reply of a deferred command whose wait is over.</summary>
    private void WriteDeferred(in Deferred d)
    {
        try
        {
            switch (d.Kind)
            {
                case DeferredKind.AddedId:
                    if (d.Added.GetAwaiter().GetResult() is { } id)
                    {
                        _w.Id(id);
                    }
                    else
                    {
                        _w.Null();
                    }

                    break;
                case DeferredKind.Count:
                    _w.Integer(d.Count.GetAwaiter().GetResult());
                    break;
                default:
                    _w.Error(d.Error!);
                    break;
            }
        }
        catch (StreamException e)
        {
            _w.Error(e.Message);
        }
    }

    /// <summary>Awaits a deferred reply's wait without taking its result (<see cref="WriteDeferred"/> takes it, once).</summary>
    private readonly struct DeferredReady(Deferred deferred) : ICriticalNotifyCompletion
    {
        public bool IsCompleted => deferred.IsCompleted;

        public DeferredReady GetAwaiter() => this;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation)
        {
            if (deferred.Kind == DeferredKind.AddedId)
            {
                deferred.Added.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);
            }
            else
            {
                deferred.Count.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);
            }
        }

        public void UnsafeOnCompleted(Action continuation)
        {
            if (deferred.Kind == DeferredKind.AddedId)
            {
                deferred.Added.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
            }
            else
            {
                deferred.Count.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
            }
        }
    }

    // ---------------------------------------------------------------- pub/sub delivery

    private readonly record struct Push(PubSubMessage Message, string? Pattern, bool Shard);

    /// <inheritdoc/>
    public void Deliver(PubSubMessage message, string? pattern, bool shard)
    {
        var pushes = _pushes;
        if (pushes is null)
        {
            return;
        }

        // The frame's size, roughly: what the queue holds for this subscriber.
        var size = message.Payload.Length + message.Channel.Length + (pattern?.Length ?? 0) + 48;
        if (Interlocked.Add(ref _queuedBytes, size) > Options.PubSubBufferLimit)
        {
            pushes.Writer.TryComplete();
            _context.Abort(new ConnectionAbortedException("The subscriber's output buffer passed the pub/sub limit."));
            return;
        }

        pushes.Writer.TryWrite(new Push(message, pattern, shard));
    }

    private void StartPump()
    {
        if (_pushes is not null)
        {
            return;
        }

        _pushes = Channel.CreateUnbounded<Push>(new UnboundedChannelOptions { SingleReader = true });
        _ = Task.Run(PumpAsync);
    }

    private async Task PumpAsync()
    {
        var reader = _pushes!.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closed).ConfigureAwait(false))
            {
                long written = 0;
                await _outputGate.WaitAsync(_closed).ConfigureAwait(false);
                try
                {
                    while (reader.TryRead(out var push))
                    {
                        WritePush(push);
                        written += push.Message.Payload.Length + push.Message.Channel.Length + (push.Pattern?.Length ?? 0) + 48;
                    }

                    await FlushAsync().ConfigureAwait(false);
                }
                finally
                {
                    _outputGate.Release();
                }

                Interlocked.Add(ref _queuedBytes, -written);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (InvalidOperationException)
        {
            // The connection's pipe completed while a message was on its way.
        }
    }

    private void WritePush(in Push push)
    {
        if (push.Pattern is { } pattern)
        {
            _w.Push(4);
            _w.Bulk("pmessage"u8);
            _w.Bulk(pattern);
        }
        else
        {
            _w.Push(3);
            _w.Bulk(push.Shard ? "smessage"u8 : "message"u8);
        }

        _w.Bulk(push.Message.Channel);
        _w.Bulk(push.Message.Payload);
    }

    private void Cleanup()
    {
        _server.Unregister(Id);
        UnwatchAll();
        var hub = Broker.PubSub;
        foreach (var c in _channels)
        {
            hub.Unsubscribe(c, this);
        }

        foreach (var p in _patterns)
        {
            hub.PUnsubscribe(p, this);
        }

        foreach (var c in _shardChannels)
        {
            hub.Unsubscribe(c, this, shard: true);
        }

        _channels.Clear();
        _patterns.Clear();
        _shardChannels.Clear();
        _pushes?.Writer.TryComplete();
    }
}
