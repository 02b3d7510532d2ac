using System.Security.Cryptography;
using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.Streams;

/// <summary>Kinesis data streams in the engine: the catalog of streams, their records in the journal, retention.</summary>
internal sealed class StreamsModule(Broker broker) : BrokerModule(broker)
{
    private const byte SnapshotVersion = 1;

    private readonly object _catalogGate = new();
    private readonly Dictionary<string, DataStream> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, DataStream> _byId = [];

    /// <summary>Deleted streams, still described as DELETING until the transition delay passes.</summary>
    private readonly Dictionary<string, DataStream> _deleting = new(StringComparer.Ordinal);
    private ulong _nextId = 1;

    public override string Name => "streams";

    public override bool Owns(ushort recordType) => recordType is >= 30 and <= 59;

    internal Broker BrokerRef => Broker;

    internal string StreamArn(string name) => $"arn:aws:kinesis:{Broker.Options.Region}:{Broker.Options.AccountId}:stream/{name}";

    internal EngineException StreamNotFound(string name) =>
        new(EngineError.ResourceNotFound, $"Stream {name} under account {Broker.Options.AccountId} not found.");

    private long Now => Broker.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private long Delay => (long)Broker.Options.StreamTransitionDelay.TotalMilliseconds;

    /// <summary>A live stream, or one being deleted (DELETING), by name; null when none.</summary>
    public DataStream? Find(string name)
    {
        lock (_catalogGate)
        {
            if (_byName.TryGetValue(name, out var stream))
            {
                return stream;
            }

            if (_deleting.TryGetValue(name, out var deleted))
            {
                if (Now < deleted.DeletedAt + Delay)
                {
                    return deleted;
                }

                _deleting.Remove(name);
            }

            return null;
        }
    }

    public DataStream? FindById(ulong id)
    {
        lock (_catalogGate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    /// <summary>Live streams, sorted by name.</summary>
    public IReadOnlyList<DataStream> List()
    {
        lock (_catalogGate)
        {
            return [.. _byName.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
        }
    }

    public int OpenShardTotal()
    {
        lock (_catalogGate)
        {
            return _byName.Values.Sum(s => s.OpenShardCount);
        }
    }

    public async Task<DataStream> CreateAsync(string name, int shardCount, StreamMode mode, IReadOnlyDictionary<string, string>? tags, int shardLimit)
    {
        DataStream stream;
        ValueTask<RecordRef> durable;
        Broker.EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                if (_byName.ContainsKey(name) || Find(name) is not null)
                {
                    throw new EngineException(EngineError.ResourceInUse, $"Stream {name} under account {Broker.Options.AccountId} already exists.");
                }

                var open = _byName.Values.Sum(s => s.OpenShardCount);
                if ((long)open + shardCount > shardLimit)
                {
                    throw new EngineException(EngineError.LimitExceeded,
                        $"This request would exceed the shard limit for the account {Broker.Options.AccountId} in {Broker.Options.Region}. Current shard count for the account: {open}. Limit: {shardLimit}. Number of additional shards that would have resulted from this request: {shardCount}. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.");
                }

                var now = Now;
                stream = new DataStream(this, _nextId++, name, now, RandomNumberGenerator.GetBytes(32))
                {
                    Mode = mode,
                    ActiveAt = now + Delay,
                    Tags = tags is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(tags, StringComparer.Ordinal),
                };
                lock (stream.Gate)
                {
                    stream.CreateShards(shardCount, now);
                    durable = stream.AppendDescriptor(RecordType.StreamCreated);
                }

                _byName.Add(name, stream);
                _byId.Add(stream.Id, stream);
            }
        }
        finally
        {
            Broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return stream;
    }

    /// <summary>Deletes a stream and releases its records.</summary>
    /// <exception cref="EngineException">ResourceInUse when consumers are registered and deletion is not enforced.</exception>
    public async Task DeleteAsync(DataStream stream, bool enforceConsumerDeletion)
    {
        ValueTask<RecordRef> durable;
        Broker.EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                lock (stream.Gate)
                {
                    if (stream.IsDeleted || !_byId.ContainsKey(stream.Id))
                    {
                        throw StreamNotFound(stream.Name);
                    }

                    if (stream.Consumers.Count > 0 && !enforceConsumerDeletion)
                    {
                        throw new EngineException(EngineError.ResourceInUse,
                            $"Stream {stream.Name} under account {Broker.Options.AccountId} has registered consumers. Use EnforceConsumerDeletion to delete the stream along with its consumers.");
                    }

                    stream.DeletedAt = Now;
                    stream.ReleaseAll();
                    durable = Journal.AppendAsync((ushort)RecordType.StreamDeleted, stream.Id, [], out var record);
                    Journal.Release(record);
                }

                _byName.Remove(stream.Name);
                _byId.Remove(stream.Id);
                _deleting[stream.Name] = stream;
            }
        }
        finally
        {
            Broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    public override void Replay(in JournalRecord record)
    {
        switch ((RecordType)record.Type)
        {
            case RecordType.StreamCreated:
            {
                var r = new PayloadReader(record.Payload.Span);
                var (id, name, createdAt, key) = DataStream.ReadIdentity(ref r);
                if (!_byId.ContainsKey(id))
                {
                    var stream = new DataStream(this, id, name, createdAt, key);
                    stream.ApplyDescriptor(ref r);
                    _byId.Add(id, stream);
                    _byName[name] = stream;
                }

                _nextId = Math.Max(_nextId, id + 1);
                break;
            }

            case RecordType.StreamUpdated:
            case RecordType.StreamShardsChanged:
                if (_byId.TryGetValue(record.ResourceId, out var updated))
                {
                    var r = new PayloadReader(record.Payload.Span);
                    DataStream.ReadIdentity(ref r);
                    updated.ApplyDescriptor(ref r);
                }

                break;

            case RecordType.StreamDeleted:
                if (_byId.Remove(record.ResourceId, out var deleted))
                {
                    _byName.Remove(deleted.Name);
                    deleted.DeletedAt = Now;
                    deleted.ReleaseAll();
                }

                break;

            case RecordType.StreamRecords:
                if (_byId.TryGetValue(record.ResourceId, out var owner))
                {
                    owner.ReplayRecords(record);
                }
                else
                {
                    // A batch of a stream deleted later in the history.
                    Journal.Release(record.Ref);
                }

                return;

            default:
                throw new InvalidDataException($"Record type {record.Type} at position {record.Ref.Position} is not a stream record.");
        }

        Journal.Release(record.Ref);
    }

    public override void WriteSnapshot(PayloadWriter writer) => CaptureSnapshot()(writer);

    /// <summary>Captures every stream (see <see cref="DataStream.CaptureSnapshot"/>): their records' index is
    /// written after writes resume.</summary>
    public override Action<PayloadWriter> CaptureSnapshot()
    {
        List<DataStream> streams;
        lock (_catalogGate)
        {
            streams = [.. _byId.Values];
        }

        var nextId = _nextId;
        var captured = streams.ConvertAll(s => s.CaptureSnapshot());
        return writer =>
        {
            writer.U8(SnapshotVersion);
            writer.U64(nextId);
            writer.I32(captured.Count);
            foreach (var write in captured)
            {
                write(writer);
            }
        };
    }

    public override void ReadSnapshot(ref PayloadReader reader)
    {
        var version = reader.U8();
        if (version != SnapshotVersion)
        {
            throw new InvalidDataException($"The streams' checkpoint section has version {version}, which this Ferry does not read.");
        }

        _nextId = reader.U64();
        var count = reader.I32();
        for (var i = 0; i < count; i++)
        {
            var stream = DataStream.ReadSnapshot(this, ref reader);
            _byId.Add(stream.Id, stream);
            _byName.Add(stream.Name, stream);
        }
    }

    public override void FinishRecovery()
    {
        foreach (var s in _byId.Values)
        {
            s.Trim();
        }
    }

    public override bool IsLive(in JournalRecord record)
    {
        if (record.Type != (ushort)RecordType.StreamRecords)
        {
            return false;
        }

        return FindById(record.ResourceId) is { } stream && stream.References(record);
    }

    public override bool TryRelocate(in JournalRecord record, RecordRef newRef) =>
        record.Type == (ushort)RecordType.StreamRecords && FindById(record.ResourceId) is { } stream && stream.Relocate(record, newRef);

    public override Task MaintainAsync(CancellationToken cancellationToken)
    {
        foreach (var s in List())
        {
            s.Trim();
        }

        lock (_catalogGate)
        {
            var now = Now;
            foreach (var name in _deleting.Where(d => now >= d.Value.DeletedAt + Delay).Select(d => d.Key).ToList())
            {
                _deleting.Remove(name);
            }
        }

        return Task.CompletedTask;
    }
}
