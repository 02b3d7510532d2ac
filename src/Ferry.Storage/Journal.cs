using System.Buffers;
using Ferry.Storage.Internal;

namespace Ferry.Storage;

/// <summary>
/// Ferry's durable, append-only log: one per data directory, cut into segment files, with group commit.
/// </summary>
/// <remarks>
/// <para>Appenders frame their record into a shared buffer under a short lock (no I/O under it) and get a
/// <see cref="ValueTask{TResult}"/>. One flusher thread takes everything buffered, writes it with one write per
/// segment, issues one <c>fdatasync</c>, and completes every waiter the flush covered, running the appenders'
/// continuations on its own thread (they must not block). While it syncs and completes, the next batch fills up, so
/// the number of fsyncs per second bounds batches, not appends. An event loop may commit its own small pass instead
/// (<see cref="EndGroup(bool)"/>); one commit at a time, whoever makes it.</para>
/// <para>Invariant used by recovery: a segment is synced before a later segment receives data, and everything
/// recovered is synced before anything is written after it. Each record carries an offset of its segment that was
/// durable before the record was written — in <see cref="DurabilityMode.Fsync"/> mode the start of its batch, since a
/// batch is written only after the previous one is synced; in the other modes what a completed fdatasync had covered
/// when it was framed. So a damaged record followed by an intact record claiming more than the damage's offset is
/// damage to synced data (refused), while any other damage is a torn write of data no fdatasync covered
/// (truncated).</para>
/// <para>Live records are counted per segment: the owner calls <see cref="Release"/> when it no longer needs a
/// record. A segment wholly before the last checkpoint with no live record is deleted; a sparse one is compacted
/// by <see cref="CompactAsync"/>.</para>
/// </remarks>
public sealed partial class Journal : IAsyncDisposable
{
    /// <summary>The largest payload of one record: above any single message, record or entry that a face stores
    /// (1 MiB for SQS and Kinesis) with room for engine metadata, and a bound on what recovery allocates.</summary>
    public const int MaxPayloadLength = 16 * 1024 * 1024;

    /// <summary>The largest segment size: batch offsets are 32-bit and memory segments are arrays.</summary>
    public const long MaxSegmentSize = 1L << 30;

    private readonly JournalOptions _options;
    private readonly IJournalDevice _device;
    private readonly DurabilityMode _mode;
    private readonly object _gate = new();
    private readonly BatchBufferPool _buffers = new();
    private readonly Thread? _flusher;

    private Segment[] _segments;
    private Segment? _current;
    private long _tail;
    private PendingBuffer? _active;
    private readonly List<PendingBuffer> _sealed = [];
    private bool _flusherIdle;
    private bool _closing;
    private Exception? _fatal;
    private long _durable;
    private long _checkpointPosition;
    private readonly SemaphoreSlim _maintenance = new(1, 1);
    private int _disposed;

    private long _appends;
    private long _batches;
    private long _syncs;

    /// <summary>Segments started whose files the flusher has not created yet (each takes the spare).</summary>
    private int _pendingCreates;

    /// <summary>Set by the flusher when the disk had no room for the next segment's spare.</summary>
    private volatile bool _noSpace;

    private Journal(JournalOptions options, IJournalDevice device, Recovery recovered)
    {
        _options = options;
        _device = device;
        _mode = options.Durability.Mode;
        _segments = recovered.Segments;
        _current = recovered.Segments.Length > 0 ? recovered.Segments[^1] : null;
        _tail = recovered.Tail;
        _durable = recovered.Tail;
        _checkpointPosition = recovered.CheckpointPosition;
        ReplayPosition = recovered.ReplayPosition;
        Checkpoint = recovered.Snapshot;
        if (_current is not null)
        {
            _active = NewBuffer(_current, _tail - _current.Base);
        }

        if (_mode != DurabilityMode.Memory)
        {
            _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "ferry-journal-flush" };
            _flusher.Start();
        }
    }

    /// <summary>Opens (and recovers) the journal described by <paramref name="options"/>.</summary>
    /// <exception cref="JournalCorruptException">Damage that recovery must not repair; the message names the file and offset.</exception>
    public static ValueTask<Journal> OpenAsync(JournalOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SegmentSize is < JournalOptions.MinSegmentSize or > MaxSegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"SegmentSize must be between {JournalOptions.MinSegmentSize} and {MaxSegmentSize} bytes.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        IJournalDevice device = options.Durability.Mode == DurabilityMode.Memory
            ? new MemoryJournalDevice()
            : new FileJournalDevice(options.Directory, options.SegmentSize);
        return ValueTask.FromResult(Open(options, device));
    }

    internal static Journal Open(JournalOptions options, IJournalDevice device)
    {
        try
        {
            return new Journal(options, device, Recover(device));
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>The snapshot saved by the last checkpoint, or null when there is none (or after
    /// <see cref="ReleaseCheckpoint"/>).</summary>
    public ReadOnlyMemory<byte>? Checkpoint { get; private set; }

    /// <summary>Drops the recovered snapshot once its owner has restored from it: it can be as large as the state.</summary>
    public void ReleaseCheckpoint() => Checkpoint = null;

    /// <summary>Where replay starts: the position of the last checkpoint, or the start of the journal.</summary>
    public long ReplayPosition { get; }

    /// <summary>
    /// Whether the journal is out of room: the disk had no space to allocate the next segment ahead of time, and the
    /// current segment is down to its last <see cref="ReserveBytes"/>. Callers refuse new work before changing any
    /// state while it is true; what is already under way still fits. It clears by itself once space returns (the
    /// flusher tries again every second).
    /// </summary>
    public bool IsFull
    {
        get
        {
            // Only a failed attempt counts: right after a start or a roll the flusher has not tried yet.
            if (_mode == DurabilityMode.Memory || !_noSpace)
            {
                return false;
            }

            var current = Volatile.Read(ref _current);
            return current is null || _options.SegmentSize - (Volatile.Read(ref _tail) - current.Base) < ReserveBytes;
        }
    }

    /// <summary>The room kept in the current segment for work under way once the disk is full.</summary>
    public long ReserveBytes => Math.Min(16L * 1024 * 1024, _options.SegmentSize / 4);

    /// <summary>The directory holding the journal, or "memory".</summary>
    public string Location => _device.Location;

    /// <summary>The durability mode in force.</summary>
    public Durability Durability => _options.Durability;

    /// <summary>The position the next record will get.</summary>
    public long Tail
    {
        get
        {
            lock (_gate)
            {
                return _tail;
            }
        }
    }

    /// <summary>Appends a record; the task completes when the record is as durable as the mode promises.</summary>
    /// <param name="type">The record's type, chosen by the owner; 0 is reserved.</param>
    /// <param name="resourceId">The resource the record belongs to.</param>
    /// <param name="payload">The bytes; copied before this method returns.</param>
    /// <exception cref="JournalUnavailableException">The journal is closed or has failed.</exception>
    public ValueTask<RecordRef> AppendAsync(ushort type, ulong resourceId, ReadOnlySpan<byte> payload) =>
        AppendCore(type, 0, resourceId, payload.Length, payload, static (span, p) => p.CopyTo(span), out _);

    /// <summary>Appends like <see cref="AppendAsync(ushort, ulong, ReadOnlySpan{byte})"/>, and tells where the record
    /// will be at once, so that an owner can index it in the same critical section that ordered the append.</summary>
    public ValueTask<RecordRef> AppendAsync(ushort type, ulong resourceId, ReadOnlySpan<byte> payload, out RecordRef reference) =>
        AppendCore(type, 0, resourceId, payload.Length, payload, static (span, p) => p.CopyTo(span), out reference);

    /// <summary>Appends a record whose payload <paramref name="write"/> produces in place, sparing a copy.</summary>
    public ValueTask<RecordRef> AppendAsync<TState>(ushort type, ulong resourceId, int length, TState state, SpanAction<byte, TState> write)
        where TState : allows ref struct =>
        AppendCore(type, 0, resourceId, length, state, write, out _);

    /// <summary>Appends a record produced in place, and tells where it will be at once (see the overload with a span).</summary>
    public ValueTask<RecordRef> AppendAsync<TState>(ushort type, ulong resourceId, int length, TState state, SpanAction<byte, TState> write, out RecordRef reference)
        where TState : allows ref struct =>
        AppendCore(type, 0, resourceId, length, state, write, out reference);

    private ValueTask<RecordRef> AppendCore<TState>(ushort type, ushort flags, ulong resourceId, int length, TState state, SpanAction<byte, TState> write,
        out RecordRef reference)
        where TState : allows ref struct
    {
        if (type == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(type), "Record type 0 is reserved.");
        }

        if ((uint)length > (uint)_options.MaxRecordSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"A journal record holds at most {_options.MaxRecordSize} bytes; this one has {length}.");
        }

        var size = RecordHeader.AlignedSize(length);
        lock (_gate)
        {
            ThrowIfUnavailable();
            if (_current is null || _tail - _current.Base + size > _options.SegmentSize || ShouldMoveToFilledSpare())
            {
                Roll();
            }

            var segment = _current!;
            var position = _tail;
            Span<byte> frame;
            long batchStart;
            if (_mode == DurabilityMode.Memory)
            {
                // No flusher: frame into a scratch buffer and write straight to the in-memory segment.
                frame = ScratchFrame(size);
                batchStart = position - segment.Base;
            }
            else
            {
                frame = _active!.Reserve(size);

                // What the record claims was durable before it was written. In fsync mode its batch's start: a batch
                // is written only once the one before it is synced. Otherwise batches follow each other unsynced, and
                // the claim is what a completed fdatasync covered when the record was framed.
                batchStart = _mode == DurabilityMode.Fsync ? _active.Offset : Volatile.Read(ref segment.SyncedOffset);
            }

            var payload = frame.Slice(RecordHeader.Size, length);
            write(payload, state);
            frame[(RecordHeader.Size + length)..].Clear();
            RecordHeader.Write(frame, type, flags, (uint)batchStart, resourceId, position, payload);
            _tail += size;
            Interlocked.Increment(ref segment.Live);
            Interlocked.Add(ref segment.LiveBytes, size);
            _appends++;
            reference = new RecordRef(position, length);

            if (_mode == DurabilityMode.Memory)
            {
                segment.File!.Write(position - segment.Base, frame);
                segment.WrittenEnd = _tail;
                _durable = _tail;
                return new ValueTask<RecordRef>(reference);
            }

            var waiter = AppendWaiter.Rent();
            waiter.Ref = reference;
            _active!.Waiters.Add(waiter);
            WakeFlusher();
            return waiter.Task;
        }
    }

    [ThreadStatic]
    private static byte[]? t_scratch;

    private static Span<byte> ScratchFrame(int size)
    {
        if (t_scratch is null || t_scratch.Length < size)
        {
            t_scratch = new byte[Math.Max(size, 64 * 1024)];
        }

        return t_scratch.AsSpan(0, size);
    }

    /// <summary>
    /// Whether to leave the current segment early for a spare the device has filled with zeros, whose syncs commit no
    /// metadata: once for a segment that did not start as such a spare (the first one, or one recovered at start).
    /// Caller holds <see cref="_gate"/>.
    /// </summary>
    private bool ShouldMoveToFilledSpare() =>
        _current!.File is { Prezeroed: false } && _tail > _current.Base + SegmentHeader.Size && _device.SpareFilled;

    /// <summary>Starts a new segment at the tail. Caller holds <see cref="_gate"/>.</summary>
    private void Roll()
    {
        var basePosition = _tail;
        var segment = new Segment(basePosition, _device.SegmentName(basePosition)) { WrittenEnd = basePosition };
        Span<byte> header = stackalloc byte[SegmentHeader.Size];
        SegmentHeader.Write(header, basePosition, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (_current is not null)
        {
            _current.End = basePosition;
        }

        if (_mode == DurabilityMode.Memory)
        {
            if (_current is not null)
            {
                TrimToRecords(_current);
            }

            segment.File = _device.CreateSegment(basePosition);
            segment.File.Write(0, header);
            segment.WrittenEnd = basePosition + SegmentHeader.Size;
        }
        else
        {
            if (_active is { Length: > 0 } || _active?.SyncWaiters.Count > 0)
            {
                _sealed.Add(_active);
            }
            else if (_active is not null)
            {
                _buffers.Return(_active.Data);
            }

            // The header is the first bytes of the segment's first batch; the flusher creates the file.
            _active = NewBuffer(segment, 0);
            header.CopyTo(_active.Reserve(SegmentHeader.Size));
            Interlocked.Increment(ref _pendingCreates);
        }

        _current = segment;
        _tail = basePosition + SegmentHeader.Size;
        _segments = [.. _segments, segment];
    }

    private PendingBuffer NewBuffer(Segment segment, long offset) => new(segment, offset, _buffers.Rent());

    private void ThrowIfUnavailable()
    {
        if (_fatal is not null)
        {
            throw new JournalUnavailableException("The journal has stopped after a storage failure: " + _fatal.Message, _fatal);
        }

        if (_closing)
        {
            throw new JournalUnavailableException("The journal is closed.");
        }
    }

    /// <summary>Completes when everything appended before the call is on stable storage, whatever the mode.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_mode == DurabilityMode.Memory)
        {
            return ValueTask.CompletedTask;
        }

        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfUnavailable();
            if (_active is null)
            {
                return ValueTask.CompletedTask;
            }

            _active.SyncWaiters.Add(tcs);
            WakeFlusher();
        }

        return new ValueTask(tcs.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Opens a group: until every group is closed, the flusher starts no batch, so what is appended meanwhile shares
    /// one fdatasync. An event loop holds one for each pass over its ready sockets, as redis-server syncs once per pass.
    /// Groups must be short (one pass of work that never waits), since every other writer's sync waits for them.
    /// </summary>
    public void BeginGroup()
    {
        lock (_gate)
        {
            _groups++;
        }
    }

    /// <summary>Closes a group opened by <see cref="BeginGroup"/>; the last one releases what is waiting to the
    /// flusher, which takes it even if another group opens before it runs.</summary>
    public void EndGroup() => EndGroup(commitIfSmall: false);

    /// <summary>
    /// The largest batch that <see cref="EndGroup(bool)"/> commits on the closing thread. A larger one goes to the
    /// flusher, so that a busy loop reads its next pass while the batch syncs (XADD from 50 clients 16 at a time: 6–16 %
    /// fewer XADDs per second when the loop synced every pass itself); a smaller one costs the loop less than the
    /// hand-off (XADD from 50 clients one at a time, about 19 a sync: 2–8 µs less server CPU per XADD).
    /// </summary>
    public const int GroupCommitMaxBytes = 16 * 1024;

    /// <summary>Closes a group opened by <see cref="BeginGroup"/>, as <see cref="EndGroup()"/> does.</summary>
    /// <param name="commitIfSmall">If this close releases a batch of at most <see cref="GroupCommitMaxBytes"/>, in
    /// <see cref="DurabilityMode.Fsync"/> mode and with no commit under way, the caller writes and syncs it and completes
    /// its waiters itself (their continuations run on its thread) before it returns, as redis-server's loop syncs its
    /// pass before it sleeps: no hand-off to the flusher and back. Otherwise the flusher takes the batch.</param>
    public void EndGroup(bool commitIfSmall)
    {
        lock (_gate)
        {
            if (--_groups != 0 || (_sealed.Count == 0 && _active is not { IsEmpty: false }))
            {
                return;
            }

            if (!commitIfSmall || _mode != DurabilityMode.Fsync || _committing || _fatal is not null || _closing
                || BufferedBytes() > GroupCommitMaxBytes)
            {
                _groupReleased = true;
                WakeFlusher();
                return;
            }

            _committing = true;
            TakeBatch(_groupBatch);
        }

        CommitGroupBatch();
    }

    /// <summary>Bytes buffered for the next batch. Caller holds <see cref="_gate"/>.</summary>
    private long BufferedBytes()
    {
        long bytes = _active?.Length ?? 0;
        foreach (var buffer in _sealed)
        {
            bytes += buffer.Length;
        }

        return bytes;
    }

    private void WakeFlusher()
    {
        if (_flusherIdle && _groups == 0)
        {
            _flusherIdle = false;
            Monitor.Pulse(_gate);
        }
    }

    // Open groups (BeginGroup), and whether the last close released what waits to the flusher; guarded by _gate.
    private int _groups;
    private bool _groupReleased;

    /// <summary>Counters for monitoring and benchmarks.</summary>
    public JournalStats GetStats()
    {
        var segments = _segments;
        long live = 0, liveBytes = 0;
        foreach (var s in segments)
        {
            live += Interlocked.Read(ref s.Live);
            liveBytes += Interlocked.Read(ref s.LiveBytes);
        }

        lock (_gate)
        {
            return new JournalStats(segments.Length, _tail, Interlocked.Read(ref _durable), live, liveBytes,
                _appends, Interlocked.Read(ref _batches), Interlocked.Read(ref _syncs), _checkpointPosition);
        }
    }

    /// <summary>Flushes everything and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (_fatal is null)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                _closing = true;
                _flusherIdle = false;
                Monitor.PulseAll(_gate);
            }

            _flusher?.Join();

            foreach (var s in _segments)
            {
                s.File?.Dispose();
            }

            _device.Dispose();
            _maintenance.Dispose();
        }
    }
}

/// <summary>A journal's counters.</summary>
/// <param name="Segments">Segment files present.</param>
/// <param name="Tail">Position of the next record.</param>
/// <param name="Durable">Everything before this position is acknowledged.</param>
/// <param name="LiveRecords">Records not yet released.</param>
/// <param name="LiveBytes">Bytes of records not yet released.</param>
/// <param name="Appends">Records appended since the journal opened.</param>
/// <param name="Batches">Group commits (flusher writes) since the journal opened.</param>
/// <param name="Syncs">fdatasync calls since the journal opened.</param>
/// <param name="CheckpointPosition">Position of the last checkpoint.</param>
public readonly record struct JournalStats(int Segments, long Tail, long Durable, long LiveRecords, long LiveBytes,
    long Appends, long Batches, long Syncs, long CheckpointPosition);
