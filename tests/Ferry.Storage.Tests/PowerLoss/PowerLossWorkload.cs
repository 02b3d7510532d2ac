namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>The shape of one generation's load.</summary>
internal sealed record PowerLossSettings
{
    /// <summary>Small segments: a roll-over every few batches, so crashes land on segment creation often.</summary>
    public long SegmentSize { get; init; } = 8192;

    public Durability Durability { get; init; } = Durability.Fsync;

    public int Writers { get; init; } = 4;

    public int AppendsPerWriter { get; init; } = 120;

    /// <summary>Writers that append each burst inside a group and close it with <c>commitIfSmall</c>, as an event loop
    /// does: their small batches are written and synced on their own thread, the others' by the flusher.</summary>
    public int GroupedWriters { get; init; } = 2;

    public int MaxPayload { get; init; } = 1200;

    /// <summary>A checkpoint (then a compaction) after about this many appends.</summary>
    public int CheckpointEvery { get; init; } = 90;

    /// <summary>Released right after acknowledgement; the others are consumed later, oldest first, so that segments
    /// die (reclaim) or thin out (compaction).</summary>
    public double ReleaseFraction { get; init; } = 0.8;

    /// <summary>How long an fdatasync takes on the recording device: long enough for appends to pile up into batches
    /// of several records, as they do on a disk.</summary>
    public TimeSpan SyncLatency { get; init; } = TimeSpan.FromMilliseconds(1);

    public JournalOptions Options => new() { Directory = "power-loss", Durability = Durability, SegmentSize = SegmentSize };
}

/// <summary>What one generation did: the disk it started from, every device request, every record it knows of.</summary>
internal sealed class GenerationHistory
{
    public required DiskImage Initial { get; init; }

    /// <summary>The owner snapshot the journal recovered when the generation opened it (null when none).</summary>
    public required byte[]? InitialSnapshot { get; init; }

    public required IReadOnlyList<DeviceEvent> Events { get; init; }

    /// <summary>Records by position: those recovery replayed at the start (acknowledged at event 0), and every append.</summary>
    public required IReadOnlyDictionary<long, KnownRecord> Known { get; init; }

    /// <summary>Every id that any record was appended with, including earlier generations'.</summary>
    public required IReadOnlySet<long> Ids { get; init; }

    /// <summary>The owner snapshots written, in the order of their checkpoint events.</summary>
    public required IReadOnlyList<byte[]> Snapshots { get; init; }

    public required long NextId { get; init; }

    public int Appends { get; init; }

    public int Acknowledged { get; init; }

    public long Compacted { get; init; }

    public int Syncs { get; init; }
}

/// <summary>
/// Drives a journal on a <see cref="RecordingJournalDevice"/> as an engine would: concurrent writers (some pipelining
/// several appends before awaiting them), an owner that indexes each record in the critical section of its append and
/// releases most of them once acknowledged, and a maintenance task that takes checkpoints and compacts sparse segments.
/// </summary>
internal sealed class PowerLossWorkload : IJournalRecordOwner, IDisposable
{
    private const ushort RecordType = 7;

    private readonly Lock _lock = new();
    private readonly RecordingJournalDevice _device;
    private readonly PowerLossSettings _settings;
    private readonly Dictionary<long, RecordRef> _live = [];
    private readonly Dictionary<long, KnownRecord> _known = [];
    private readonly HashSet<long> _ids;
    private readonly List<byte[]> _snapshots = [];
    private readonly Queue<long> _consumeLater = [];
    private readonly SemaphoreSlim _checkpointDue = new(0);
    private Journal _journal = null!;
    private long _nextId;
    private int _appends;
    private int _acknowledged;
    private int _checkpointSequence;

    private PowerLossWorkload(RecordingJournalDevice device, PowerLossSettings settings, long nextId, IEnumerable<long> ids)
    {
        _device = device;
        _settings = settings;
        _nextId = nextId;
        _ids = [.. ids];
    }

    /// <summary>Opens a journal over <paramref name="initial"/>, recovers the owner's state from it, runs the load and
    /// closes the journal.</summary>
    /// <param name="initial">The durable files the generation starts from.</param>
    /// <param name="unsynced">Writes a crashed process left unsynced in the page cache (empty after a power loss).</param>
    public static async Task<GenerationHistory> RunAsync(DiskImage initial, IReadOnlyList<DeviceEvent> unsynced, PowerLossSettings settings,
        int seed, int generation, long nextId, IEnumerable<long> ids)
    {
        var device = new RecordingJournalDevice(initial, unsynced) { SyncLatency = settings.SyncLatency };
        using var workload = new PowerLossWorkload(device, settings, nextId, ids);
        var journal = Journal.Open(settings.Options, device);
        byte[]? initialSnapshot;
        long compacted;
        await using (journal)
        {
            workload._journal = journal;
            initialSnapshot = journal.Checkpoint?.ToArray();
            workload.Restore(initialSnapshot, initial);

            var writersDone = new CancellationTokenSource();
            var writers = Enumerable.Range(0, settings.Writers)
                .Select(w => Task.Run(() => workload.WriteAsync((generation * 100) + w, new Random(seed + (w * 7919)))))
                .ToArray();
            var maintenance = Task.Run(() => workload.MaintainAsync(writersDone.Token));
            await Task.WhenAll(writers);
            await writersDone.CancelAsync();
            compacted = await maintenance;
        }

        return new GenerationHistory
        {
            Initial = initial,
            InitialSnapshot = initialSnapshot,
            Events = device.Events,
            Known = workload._known,
            Ids = workload._ids,
            Snapshots = workload._snapshots,
            NextId = workload._nextId,
            Appends = workload._appends,
            Acknowledged = workload._acknowledged,
            Compacted = compacted,
            Syncs = device.Syncs,
        };
    }

    /// <summary>Restores the owner's live set from the snapshot and replays the journal after it, as an engine
    /// does: each replayed record is live; a relocated copy supersedes the original. A replayed record already on
    /// disk must survive any later crash; one that only the page cache holds, once a sync covers it.</summary>
    private void Restore(byte[]? snapshot, DiskImage durable)
    {
        if (snapshot is not null)
        {
            var (sequence, _, live) = PowerLossSnapshot.Read(snapshot);
            _checkpointSequence = sequence;
            foreach (var (id, r) in live)
            {
                _live[id] = r;
            }
        }

        foreach (var record in _journal.ReadFrom(_journal.ReplayPosition))
        {
            if (!PowerLossPayload.TryRead(record.Payload.Span, out var id, out var writer, out var sequence))
            {
                throw new InvalidOperationException($"The journal replayed garbage at {record.Ref.Position}.");
            }

            _known[record.Ref.Position] = new KnownRecord(id, writer, sequence, record.Ref, record.IsRelocated)
            {
                AcknowledgedAt = IsOnDisk(durable, record.Ref) ? 0 : int.MaxValue,
            };
            if (!record.IsRelocated)
            {
                _live[id] = record.Ref;
            }
            else if (_live.Remove(id, out var original))
            {
                _journal.Release(original);
                _live[id] = record.Ref;
            }
            else
            {
                _journal.Release(record.Ref);
            }
        }
    }

    private static bool IsOnDisk(DiskImage durable, RecordRef r)
    {
        foreach (var (basePosition, file) in durable.Segments)
        {
            if (basePosition <= r.Position && r.Position + 32 + r.Length <= basePosition + file.Length)
            {
                return true;
            }
        }

        return false;
    }

    private async Task WriteAsync(int writer, Random random)
    {
        var sequence = 0;
        var inFlight = new List<(ValueTask<RecordRef> Append, KnownRecord Record)>();
        while (sequence < _settings.AppendsPerWriter)
        {
            // One to four appends in flight before the first is awaited: batches then hold several records.
            var depth = Math.Min(random.Next(1, 5), _settings.AppendsPerWriter - sequence);
            var grouped = writer % 100 < _settings.GroupedWriters;
            if (grouped)
            {
                _journal.BeginGroup();
            }

            for (var i = 0; i < depth; i++)
            {
                var length = random.Next(10) == 0 ? random.Next(_settings.MaxPayload, 3 * _settings.MaxPayload) : random.Next(1, _settings.MaxPayload);
                lock (_lock)
                {
                    var id = _nextId++;
                    var payload = PowerLossPayload.Create(id, writer, sequence++, length);
                    var append = _journal.AppendAsync(RecordType, (ulong)id, payload, out var reference);
                    var record = new KnownRecord(id, writer, sequence - 1, reference, relocated: false);
                    _known[reference.Position] = record;
                    _ids.Add(id);
                    _live[id] = reference;
                    if (++_appends % _settings.CheckpointEvery == 0)
                    {
                        _checkpointDue.Release();
                    }

                    inFlight.Add((append, record));
                }
            }

            if (grouped)
            {
                _journal.EndGroup(commitIfSmall: true);
            }

            foreach (var (append, record) in inFlight)
            {
                await append;
                var acknowledgedAt = _device.EventCount;
                lock (_lock)
                {
                    record.AcknowledgedAt = acknowledgedAt;
                    _acknowledged++;
                    if (random.NextDouble() < _settings.ReleaseFraction)
                    {
                        Consume(record.Id);
                    }
                    else
                    {
                        _consumeLater.Enqueue(record.Id);
                    }

                    if (_consumeLater.Count > 0 && random.Next(4) == 0)
                    {
                        Consume(_consumeLater.Dequeue());
                    }
                }
            }

            inFlight.Clear();
            if (random.Next(4) == 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>The owner is done with a record: it leaves the live set and the journal is told. Caller holds the lock.</summary>
    private void Consume(long id)
    {
        if (_live.Remove(id, out var current))
        {
            _journal.Release(current);
        }
    }

    private async Task<long> MaintainAsync(CancellationToken writersDone)
    {
        long compacted = 0;
        while (true)
        {
            try
            {
                await _checkpointDue.WaitAsync(writersDone);
            }
            catch (OperationCanceledException)
            {
                return compacted;
            }

            JournalCheckpointMark mark;
            byte[] snapshot;
            lock (_lock)
            {
                // Quiescent: no append or release is between its journal call and its index update.
                mark = _journal.MarkCheckpoint();
                snapshot = PowerLossSnapshot.Serialize(++_checkpointSequence, mark.Position, _live);
            }

            await _journal.WriteCheckpointAsync(mark, snapshot);
            _snapshots.Add(snapshot);
            compacted += await _journal.CompactAsync(this, 0.6);
        }
    }

    public void Dispose() => _checkpointDue.Dispose();

    public bool IsLive(in JournalRecord record)
    {
        var id = BitConverter.ToInt64(record.Payload.Span);
        lock (_lock)
        {
            return _live.TryGetValue(id, out var r) && r == record.Ref;
        }
    }

    public bool TryRelocate(in JournalRecord record, RecordRef newRef)
    {
        PowerLossPayload.TryRead(record.Payload.Span, out var id, out var writer, out var sequence);
        var acknowledgedAt = _device.EventCount;
        lock (_lock)
        {
            // The copy is durable now (compaction awaited it) whether or not the owner keeps it.
            _known[newRef.Position] = new KnownRecord(id, writer, sequence, newRef, relocated: true) { AcknowledgedAt = acknowledgedAt };
            if (_live.TryGetValue(id, out var r) && r == record.Ref)
            {
                _live[id] = newRef;
                return true;
            }

            return false;
        }
    }
}
