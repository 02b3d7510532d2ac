using Ferry.Engine.Internal;
using Ferry.Engine.Queues;
using Ferry.Storage;

namespace Ferry.Engine;

/// <summary>
/// The catalog of Ferry's resources over one journal: creates, finds and deletes queues, replays the journal at
/// start, takes checkpoints and runs maintenance.
/// </summary>
/// <remarks>
/// Every operation that changes state and appends to the journal holds the checkpoint gate shared
/// (<see cref="EnterWrite"/>) across the state change and the append — never across an await. A checkpoint holds it
/// exclusively for the instant it marks the journal and serializes the state, so the snapshot describes exactly the
/// records before the mark.
/// </remarks>
public sealed partial class Broker : IAsyncDisposable, IJournalRecordOwner
{
    /// <summary>SQS refuses to re-create a queue name for 60 seconds after a deletion.</summary>
    private static readonly TimeSpan RecreateDelay = TimeSpan.FromSeconds(60);

    /// <summary>Version 2: the shared bodies, and each message's.</summary>
    private const byte SnapshotVersion = 2;

    private readonly ReaderWriterLockSlim _checkpointGate = new(LockRecursionPolicy.SupportsRecursion);
    private readonly object _catalogGate = new();
    private readonly Dictionary<string, Queue> _queuesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Queue> _queuesById = [];
    private readonly Dictionary<string, long> _recentlyDeleted = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ulong _nextQueueId = 1;
    private Task? _maintenance;
    private long _lastCheckpointTail;
    private long _lastCheckpointAt;

    private readonly List<BrokerModule> _modules = [];

    private Broker(Journal journal, BrokerOptions options, TimeProvider time)
    {
        Journal = journal;
        SharedBodies = new SharedBodies(journal);
        Options = options;
        Time = time;
        foreach (var create in ModuleFactories)
        {
            _modules.Add(create(this));
        }
    }

    /// <summary>The engine's modules besides queues, in a fixed order.</summary>
    private static readonly Func<Broker, BrokerModule>[] ModuleFactories = [b => new Streams.StreamsModule(b), b => new RedisStreams.RedisStreamsModule(b), b => new Topics.TopicsModule(b)];

    /// <summary>Redis streams: entries, consumer groups and pending entries lists.</summary>
    public RedisStreams.RedisStreams RedisStreams => _redisStreams ??= Module<RedisStreams.RedisStreamsModule>().Streams;

    private RedisStreams.RedisStreams? _redisStreams;

    /// <summary>Topics and subscriptions, with the deliveries they owe.</summary>
    public Ferry.Engine.Topics.Topics Topics => _topics ??= Module<Topics.TopicsModule>().Topics;

    private Ferry.Engine.Topics.Topics? _topics;

    /// <summary>Redis pub/sub: channels and patterns, in memory only (as in Redis).</summary>
    public RedisPubSub.PubSubHub PubSub { get; } = new();

    /// <summary>The module of type <typeparamref name="T"/>.</summary>
    internal T Module<T>()
        where T : BrokerModule => _modules.OfType<T>().Single();

    internal Journal Journal { get; }

    /// <summary>The journal's counters: appends, write batches, fdatasyncs, segments and live bytes.</summary>
    public JournalStats JournalStats => Journal.GetStats();

    /// <summary>Completes once everything written so far is on stable storage, whatever the durability mode (an
    /// fdatasync now in <c>interval</c> and <c>none</c>; at once in <c>memory</c>, which has no storage).</summary>
    public ValueTask SyncAsync(CancellationToken cancellationToken) => Journal.FlushAsync(cancellationToken);

    /// <summary>The bodies queue messages share (a publish fanned out to many queues).</summary>
    internal SharedBodies SharedBodies { get; }

    internal TimeProvider Time { get; }

    public BrokerOptions Options { get; }

    /// <summary>Restores the last checkpoint, replays the journal after it, and starts maintenance.</summary>
    public static Broker Open(Journal journal, BrokerOptions options, TimeProvider time, bool startMaintenance = true)
    {
        var broker = new Broker(journal, options, time);
        broker.Recover();
        if (startMaintenance)
        {
            broker._maintenance = Task.Run(broker.MaintainAsync);
        }

        return broker;
    }

    internal string QueueArn(string name) => $"arn:aws:sqs:{Options.Region}:{Options.AccountId}:{name}";

    /// <summary>
    /// Held (shared) by every operation across its state change and its journal append, never across an await. While
    /// the journal is out of disk space (<see cref="Journal.IsFull"/>), a new client operation is refused here, before it
    /// changed anything; <paramref name="background"/> work (expiry, moves, deliveries) and sections already entered
    /// go on in the journal's reserve.
    /// </summary>
    /// <exception cref="EngineException">ServiceUnavailable: the disk is full.</exception>
    internal void EnterWrite(bool background = false)
    {
        if (!background && Journal.IsFull && !_checkpointGate.IsReadLockHeld)
        {
            throw new EngineException(EngineError.ServiceUnavailable,
                "Ferry's disk is full: writes are refused until space is freed (acknowledged data is safe).");
        }

        _checkpointGate.EnterReadLock();
    }

    internal void ExitWrite() => _checkpointGate.ExitReadLock();

    private BrokerModule? ModuleOf(ushort recordType)
    {
        foreach (var module in _modules)
        {
            if (module.Owns(recordType))
            {
                return module;
            }
        }

        return null;
    }

    private long NowSeconds => Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The queue with this name, or null.</summary>
    public Queue? FindQueue(string name)
    {
        lock (_catalogGate)
        {
            return _queuesByName.GetValueOrDefault(name);
        }
    }

    /// <summary>The queue with this name, or null, without allocating the name.</summary>
    public Queue? FindQueue(ReadOnlySpan<char> name)
    {
        lock (_catalogGate)
        {
            return _queuesByName.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var queue) ? queue : null;
        }
    }

    /// <summary>The queue an ARN names (in this region and account), or null.</summary>
    public Queue? FindQueueByArn(string arn)
    {
        var prefix = $"arn:aws:sqs:{Options.Region}:{Options.AccountId}:";
        return arn.StartsWith(prefix, StringComparison.Ordinal) ? FindQueue(arn[prefix.Length..]) : null;
    }

    /// <summary>Queues whose name starts with <paramref name="prefix"/>, sorted by name.</summary>
    public IReadOnlyList<Queue> ListQueues(string? prefix)
    {
        lock (_catalogGate)
        {
            return [.. _queuesByName.Values.Where(q => prefix is null || q.Name.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(q => q.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Queues whose RedrivePolicy names <paramref name="deadLetterQueue"/>.</summary>
    public IReadOnlyList<Queue> ListDeadLetterSourceQueues(Queue deadLetterQueue)
    {
        var arn = deadLetterQueue.Arn;
        lock (_catalogGate)
        {
            return [.. _queuesByName.Values.Where(q => q.Settings.DeadLetterTargetArn == arn).OrderBy(q => q.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Creates a queue, or returns the existing one if its settings match (CreateQueue is idempotent).</summary>
    /// <exception cref="EngineException">QueueNameExists with different settings; QueueDeletedRecently.</exception>
    public async Task<Queue> CreateQueueAsync(string name, IReadOnlyDictionary<string, string>? attributes, IReadOnlyDictionary<string, string>? tags)
    {
        var fifo = name.EndsWith(".fifo", StringComparison.Ordinal);
        Queue queue;
        ValueTask<RecordRef> durable;
        EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                if (_queuesByName.TryGetValue(name, out var existing))
                {
                    if (!existing.Settings.Matches(fifo, attributes))
                    {
                        throw new EngineException(EngineError.QueueNameExists,
                            "A queue already exists with the same name and a different value for attribute(s) " + DifferingAttributes(existing, fifo, attributes));
                    }

                    return existing;
                }

                if (_recentlyDeleted.TryGetValue(name, out var deletedAt) && Time.GetUtcNow().ToUnixTimeMilliseconds() - deletedAt < RecreateDelay.TotalMilliseconds)
                {
                    throw new EngineException(EngineError.QueueDeletedRecently,
                        "You must wait 60 seconds after deleting a queue before you can create another with the same name.");
                }

                var settings = QueueSettings.Create(fifo, attributes);
                var tagMap = tags is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(tags, StringComparer.Ordinal);
                queue = new Queue(this, _nextQueueId++, name, settings, tagMap, NowSeconds);
                using var w = new PayloadWriter();
                w.U64(queue.Id);
                w.String(name);
                w.I64(queue.CreatedAt);
                w.StringMap(new Dictionary<string, string>(settings.Attributes));
                w.StringMap(tagMap);
                durable = Journal.AppendAsync((ushort)RecordType.QueueCreated, queue.Id, w.WrittenSpan, out var record);
                Journal.Release(record);
                _queuesByName.Add(name, queue);
                _queuesById.Add(queue.Id, queue);
            }
        }
        finally
        {
            ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return queue;
    }

    private static string DifferingAttributes(Queue existing, bool fifo, IReadOnlyDictionary<string, string>? attributes)
    {
        var wanted = QueueSettings.Create(fifo, attributes).Attributes;
        return string.Join(", ", wanted.Keys.Union(existing.Settings.Attributes.Keys)
            .Where(k => wanted.GetValueOrDefault(k) != existing.Settings.Attributes.GetValueOrDefault(k)).Order(StringComparer.Ordinal)) + ".";
    }

    /// <summary>Changes a queue's attributes and tags; completes when durable.</summary>
    public async Task UpdateQueueAsync(Queue queue, IReadOnlyDictionary<string, string>? attributeChanges, IReadOnlyDictionary<string, string>? tagsToAdd, IReadOnlyCollection<string>? tagsToRemove)
    {
        ValueTask<RecordRef> durable;
        EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                lock (queue.Gate)
                {
                    if (queue.IsDeleted)
                    {
                        throw new EngineException(EngineError.QueueDoesNotExist, "The specified queue does not exist.");
                    }

                    if (attributeChanges is { Count: > 0 })
                    {
                        queue.Settings = queue.Settings.With(attributeChanges);
                        queue.LastModifiedAt = NowSeconds;
                    }

                    if (tagsToAdd is not null || tagsToRemove is not null)
                    {
                        var tags = new Dictionary<string, string>(queue.Tags, StringComparer.Ordinal);
                        foreach (var (k, v) in tagsToAdd ?? new Dictionary<string, string>())
                        {
                            tags[k] = v;
                        }

                        foreach (var k in tagsToRemove ?? [])
                        {
                            tags.Remove(k);
                        }

                        queue.Tags = tags;
                    }

                    using var w = new PayloadWriter();
                    w.I64(queue.LastModifiedAt);
                    w.StringMap(new Dictionary<string, string>(queue.Settings.Attributes));
                    w.StringMap(new Dictionary<string, string>(queue.Tags));
                    durable = Journal.AppendAsync((ushort)RecordType.QueueUpdated, queue.Id, w.WrittenSpan, out var record);
                    Journal.Release(record);
                }
            }
        }
        finally
        {
            ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>Deletes a queue and all its messages.</summary>
    public async Task DeleteQueueAsync(Queue queue)
    {
        ValueTask<RecordRef> durable;
        EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                if (!_queuesById.Remove(queue.Id))
                {
                    throw new EngineException(EngineError.QueueDoesNotExist, "The specified queue does not exist.");
                }

                _queuesByName.Remove(queue.Name);
                _recentlyDeleted[queue.Name] = Time.GetUtcNow().ToUnixTimeMilliseconds();
                lock (queue.Gate)
                {
                    queue.IsDeleted = true;
                }

                queue.ReleaseAll();
                durable = Journal.AppendAsync((ushort)RecordType.QueueDeleted, queue.Id, [], out var record);
                Journal.Release(record);
            }
        }
        finally
        {
            ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>Moves messages received too often to the source queue's dead-letter queue; one that cannot move
    /// (no such queue) goes back to ready.</summary>
    /// <returns>False when there is no dead-letter queue to move to (deleted, or the source itself): the messages
    /// went back to the source.</returns>
    internal async Task<bool> DeadLetterAsync(Queue source, List<long> seqs)
    {
        var target = source.Settings.DeadLetterTargetArn is { } arn ? FindQueueByArn(arn) : null;
        foreach (var seq in seqs)
        {
            if (target is null || target == source)
            {
                source.ReturnMoving(seq);
                continue;
            }

            await MoveAsync(source, seq, target, new MovedMessageInfo(true)).ConfigureAwait(false);
        }

        return target is not null && target != source;
    }

    private readonly record struct MovedMessageInfo(bool ToDeadLetterQueue);

    /// <summary>Copies a message into <paramref name="target"/> (durably), then deletes it from <paramref name="source"/>.
    /// A crash in between leaves it in both: at least once, never lost.</summary>
    private async Task MoveAsync(Queue source, long seq, Queue target, MovedMessageInfo info)
    {
        if (source.FindMoving(seq) is not { } entry)
        {
            return;
        }

        StoredMessage stored;
        try
        {
            stored = StoredMessage.Read(Journal.Read(entry.Body), SharedBodies, entry.Shared);
        }
        catch (JournalException)
        {
            source.ReturnMoving(seq);
            return;
        }

        var moved = info.ToDeadLetterQueue
            ? new MovedMessage(stored.MessageId, stored.SentAt, entry.ReceiveCount, entry.FirstReceiveAt, source.Arn)
            : new MovedMessage(stored.MessageId, stored.SentAt, 0, 0, null);
        try
        {
            var (_, durable, copy) = target.Enqueue(stored.ToRequest(), moved);
            if (copy != 0)
            {
                await durable.ConfigureAwait(false);
                target.Commit(copy);
            }
        }
        catch (EngineException)
        {
            source.ReturnMoving(seq);
            throw;
        }

        await source.CompleteMove(seq).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public bool IsLive(in JournalRecord record)
    {
        if (ModuleOf(record.Type) is { } module)
        {
            return module.IsLive(record);
        }

        if (record.Type == (ushort)RecordType.SharedBodyStored)
        {
            return SharedBodies.IsLive(record);
        }

        if (record.Type != (ushort)RecordType.MessageSent)
        {
            return false;
        }

        Queue? queue;
        lock (_catalogGate)
        {
            queue = _queuesById.GetValueOrDefault(record.ResourceId);
        }

        return queue is not null && queue.References(record);
    }

    /// <inheritdoc/>
    public bool TryRelocate(in JournalRecord record, RecordRef newRef)
    {
        if (ModuleOf(record.Type) is { } module)
        {
            return module.TryRelocate(record, newRef);
        }

        if (record.Type == (ushort)RecordType.SharedBodyStored)
        {
            return SharedBodies.TryRelocate(record, newRef);
        }

        Queue? queue;
        lock (_catalogGate)
        {
            queue = _queuesById.GetValueOrDefault(record.ResourceId);
        }

        return queue is not null && queue.Relocate(record, newRef);
    }

    /// <summary>Stops maintenance and move tasks; the journal stays open (its owner closes it).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_maintenance is not null)
        {
            try
            {
                await _maintenance.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await StopMoveTasksAsync().ConfigureAwait(false);
        foreach (var module in _modules)
        {
            await module.StopAsync().ConfigureAwait(false);
        }

        lock (_catalogGate)
        {
            foreach (var q in _queuesById.Values)
            {
                q.ReleaseWaiters();
            }
        }

        _stopping.Dispose();
    }
}
