using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Ferry.Storage;

namespace Ferry.Engine.Queues;

/// <summary>
/// One SQS queue, standard or FIFO: its settings and every message's delivery state.
/// </summary>
/// <remarks>
/// <para>All state is guarded by <see cref="Gate"/>; operations on different queues never contend. A journal append
/// is issued inside the critical section that changes the state it records (the append only copies into the
/// journal's buffer), so the journal's order of a queue's records is the order of its state changes; the caller
/// awaits durability after leaving the lock, and acknowledges only then.</para>
/// <para>A sent message is indexed at once but stays <see cref="MessageState.Pending"/> — invisible — until its
/// record is durable, so no consumer can see a message that a crash could take back, and FIFO order follows the
/// sequence numbers even when durability completions run out of order.</para>
/// </remarks>
public sealed partial class Queue
{
    /// <summary>Priorities 0–9 (the Ferry-Priority extension): one ready lane each, highest first.</summary>
    internal const int PriorityLanes = 10;

    /// <summary>SQS's FIFO deduplication window.</summary>
    internal static readonly TimeSpan DeduplicationWindow = TimeSpan.FromMinutes(5);

    internal readonly object Gate = new();
    private readonly Broker _broker;

    private readonly MessageTable _messages = new();
    /// <summary>Sequence numbers of ready messages, one lane per priority; a message no longer ready is skipped.</summary>
    private readonly Queue<long>?[] _lanes = new Queue<long>?[PriorityLanes];

    /// <summary>Sequence numbers of delayed and in-flight messages by the time they become visible; an item whose
    /// message moved on (its visibility time or state changed, or it is gone) is skipped.</summary>
    private readonly PriorityQueue<long, long> _timed = new();
    private readonly Dictionary<string, FifoGroup> _groups = new(StringComparer.Ordinal);
    private readonly Queue<FifoGroup> _readyGroups = new();
    private readonly Dictionary<string, DedupEntry> _dedup = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, long ExpiresAt)> _dedupOrder = new();
    private readonly Dictionary<string, AttemptEntry> _attempts = new(StringComparer.Ordinal);

    private long _nextSeq;
    private long _ready;
    private long _inFlight;
    private long _delayed;
    private long _lastPurgeAt = long.MinValue;

    internal Queue(Broker broker, ulong id, string name, QueueSettings settings, Dictionary<string, string> tags, long createdAt)
    {
        _broker = broker;
        Id = id;
        Name = name;
        IsFifo = name.EndsWith(".fifo", StringComparison.Ordinal);
        Settings = settings;
        Tags = tags;
        CreatedAt = createdAt;
        LastModifiedAt = createdAt;
    }

    internal readonly record struct DedupEntry(Guid MessageId, long Seq, long ExpiresAt);

    internal sealed record AttemptEntry(long ExpiresAt, (long Seq, int ReceiveCount)[] Messages);

    /// <summary>The queue's id in the journal.</summary>
    public ulong Id { get; }

    public string Name { get; }

    public bool IsFifo { get; }

    /// <summary>arn:aws:sqs:&lt;region&gt;:&lt;account&gt;:&lt;name&gt;.</summary>
    public string Arn => _broker.QueueArn(Name);

    public QueueSettings Settings { get; internal set; }

    public IReadOnlyDictionary<string, string> Tags { get; internal set; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; }

    /// <summary>Unix seconds.</summary>
    public long LastModifiedAt { get; internal set; }

    internal bool IsDeleted { get; set; }

    private Journal Journal => _broker.Journal;

    private long Now => _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The approximate counters, after due messages became visible.</summary>
    public QueueCounts GetCounts()
    {
        lock (Gate)
        {
            PromoteDue(Now);
            return new QueueCounts(_ready, _inFlight, _delayed);
        }
    }

    /// <summary>Sends one message; completes when it is durable.</summary>
    public async Task<SendResult> SendAsync(SendRequest request)
    {
        var (result, durable, seq) = Enqueue(request, null);
        if (seq == 0)
        {
            return result;
        }

        await durable.ConfigureAwait(false);
        Commit(seq);
        return result;
    }

    /// <summary>Sends several messages; each result is a <see cref="SendResult"/> or the <see cref="EngineException"/>
    /// that refused that message.</summary>
    public async Task<object[]> SendBatchAsync(IReadOnlyList<SendRequest> requests)
    {
        var results = new object[requests.Count];
        var pending = new (ValueTask<RecordRef> Durable, long Seq)[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                var (result, durable, seq) = Enqueue(requests[i], null);
                results[i] = result;
                pending[i] = (durable, seq);
            }
            catch (EngineException ex)
            {
                results[i] = ex;
            }
        }

        var committed = new List<long>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            if (pending[i].Seq != 0)
            {
                await pending[i].Durable.ConfigureAwait(false);
                committed.Add(pending[i].Seq);
            }
        }

        Commit(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(committed));
        return results;
    }

    /// <summary>Appends a message and indexes it as pending; returns its sequence number, to commit once durable. For a
    /// FIFO duplicate, returns the original's while it is still pending, else 0.</summary>
    /// <param name="request">The message.</param>
    /// <param name="moved">For a message moved from another queue: its identity and history.</param>
    /// <param name="shared">The stored <see cref="SendRequest.Template"/> of <paramref name="request"/>, which the
    /// message then refers to instead of holding its whole body; null to store the body in the message.</param>
    internal (SendResult Result, ValueTask<RecordRef> Durable, long Seq) Enqueue(SendRequest request, MovedMessage? moved, SharedBody? shared = null)
    {
        if (request.Template is { } template)
        {
            if (request.PatchOffset < 0 || request.PatchOffset > template.Utf8.Length - request.Patch.Length)
            {
                throw new ArgumentException($"A patch of {request.Patch.Length} bytes at {request.PatchOffset} does not fit a template of {template.Utf8.Length} bytes.", nameof(request));
            }
        }
        else if (shared is not null)
        {
            throw new ArgumentException("A message refers to a shared body only when its request has a template.", nameof(shared));
        }

        var now = Now;
        string? dedupKey = null;
        if (IsFifo)
        {
            if (string.IsNullOrEmpty(request.GroupId))
            {
                throw new EngineException(EngineError.InvalidParameterValue, "The request must contain the parameter MessageGroupId.");
            }

            if (request.DelaySeconds is > 0 && moved is null)
            {
                throw new EngineException(EngineError.InvalidParameterValue,
                    $"Value {request.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.");
            }

            var dedupId = request.DeduplicationId;
            if (dedupId is null && moved is null)
            {
                if (!Settings.ContentBasedDeduplication)
                {
                    throw new EngineException(EngineError.InvalidParameterValue,
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
                }

                dedupId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body)));
            }

            if (dedupId is not null)
            {
                dedupKey = Settings.DeduplicationScopeIsGroup ? request.GroupId + "\n" + dedupId : dedupId;
            }
        }
        else if (request.Priority is < 0 or >= PriorityLanes)
        {
            throw new EngineException(EngineError.InvalidParameterValue, "Ferry-Priority must be an integer from 0 to 9.");
        }

        var visibleAt = request.DeliverAt?.ToUnixTimeMilliseconds()
            ?? now + ((request.DelaySeconds ?? (moved is null ? Settings.DelaySeconds : 0)) * 1000L);
        using var payload = new Internal.PayloadWriter(request.SizeHint + 256);
        _broker.EnterWrite(background: moved is not null);
        try
        {
            lock (Gate)
            {
                ThrowIfDeleted();
                if (dedupKey is not null && _dedup.TryGetValue(dedupKey, out var seen) && seen.ExpiresAt > now)
                {
                    // A duplicate is acknowledged no sooner than its original: while the original's record is not
                    // durable yet, the duplicate waits for the journal to flush it (and may commit it first).
                    var duplicate = new SendResult(seen.MessageId, FormatSequence(seen.Seq));
                    ref var original = ref _messages.Find(seen.Seq);
                    if (!Unsafe.IsNullRef(ref original) && original.State == MessageState.Pending)
                    {
                        var flushed = FlushedAsync();
                        return (duplicate, flushed, seen.Seq);
                    }

                    return (duplicate, default, 0);
                }

                var seq = ++_nextSeq;
                var messageId = moved?.MessageId ?? UniqueIds.Next();
                var sentAt = moved?.SentAt ?? now;
                var dedupId = request.DeduplicationId ?? (dedupKey is null ? null : dedupKey[(dedupKey.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
                WriteMessage(payload, seq, messageId, sentAt, visibleAt, request, dedupId, moved, shared);
                var durable = Journal.AppendAsync((ushort)RecordType.MessageSent, Id, payload.WrittenSpan, out var reference);
                if (shared is not null)
                {
                    SharedBodies.AddReference(shared);
                }

                ref var entry = ref _messages.Add(seq);
                entry.Body = reference;
                entry.Shared = shared;
                entry.SentAt = sentAt;
                entry.VisibleAt = visibleAt;
                entry.Priority = IsFifo ? (byte)0 : (byte)request.Priority;
                entry.ReceiveCount = moved?.ReceiveCount ?? 0;
                entry.FirstReceiveAt = moved?.FirstReceiveAt ?? 0;
                entry.State = MessageState.Pending;
                if (IsFifo)
                {
                    var group = Group(request.GroupId!);
                    entry.Group = group;
                    group.Messages.PushBack(seq);
                }

                if (dedupKey is not null)
                {
                    RememberDedup(dedupKey, messageId, seq, now + (long)DeduplicationWindow.TotalMilliseconds);
                }

                return (new SendResult(messageId, IsFifo ? FormatSequence(seq) : null), durable, seq);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }
    }

    /// <summary>Completes when everything appended so far is durable (a pending original of a duplicate included).</summary>
    private async ValueTask<RecordRef> FlushedAsync()
    {
        await Journal.FlushAsync().ConfigureAwait(false);
        return default;
    }

    /// <summary>The message's record is durable: make it deliverable.</summary>
    internal void Commit(long seq) => Commit([seq]);

    /// <summary>The messages' records are durable: make them deliverable, under one acquisition of the lock.</summary>
    internal void Commit(ReadOnlySpan<long> seqs)
    {
        if (seqs.IsEmpty)
        {
            return;
        }

        List<TaskCompletionSource>? woken;
        lock (Gate)
        {
            var now = Now;
            var ready = 0;
            foreach (var seq in seqs)
            {
                ref var entry = ref _messages.Find(seq);
                if (Unsafe.IsNullRef(ref entry) || entry.State != MessageState.Pending)
                {
                    continue;
                }

                Place(ref entry, now);
                if (entry.State == MessageState.Ready)
                {
                    ready++;
                }
            }

            woken = TakeWaiters(ready);
            ArmTimer();
        }

        Wake(woken);
    }

    /// <summary>Puts an entry where its visibility time says: a ready lane or group, or the timed heap.</summary>
    private void Place(ref MessageEntry entry, long now)
    {
        if (entry.VisibleAt > now)
        {
            entry.State = entry.ReceiveCount > 0 && entry.FirstReceiveAt > 0 ? MessageState.InFlight : MessageState.Delayed;
            if (entry.State == MessageState.InFlight)
            {
                _inFlight++;
                if (entry.Group is not null)
                {
                    entry.Group.InFlight++;
                }
            }
            else
            {
                _delayed++;
            }

            _timed.Enqueue(entry.Seq, entry.VisibleAt);
            return;
        }

        MakeReady(ref entry);
    }

    private void MakeReady(ref MessageEntry entry)
    {
        entry.State = MessageState.Ready;
        _ready++;
        if (entry.Group is { } group)
        {
            OfferGroup(group);
        }
        else
        {
            (_lanes[entry.Priority] ??= new Queue<long>()).Enqueue(entry.Seq);
        }
    }

    /// <summary>Moves every delayed or in-flight message whose time has come to ready. Returns how many.</summary>
    private int PromoteDue(long now)
    {
        var promoted = 0;
        while (_timed.TryPeek(out var seq, out var due) && due <= now)
        {
            _timed.Dequeue();
            ref var entry = ref _messages.Find(seq);
            if (!IsTimed(ref entry, due))
            {
                continue;
            }

            if (entry.State == MessageState.InFlight)
            {
                _inFlight--;
                if (entry.Group is not null)
                {
                    entry.Group.InFlight--;
                }
            }
            else
            {
                _delayed--;
            }

            MakeReady(ref entry);
            promoted++;
        }

        return promoted;
    }

    /// <summary>Whether a <see cref="_timed"/> item due at <paramref name="due"/> still stands for its message.</summary>
    private static bool IsTimed(ref MessageEntry entry, long due) =>
        !Unsafe.IsNullRef(ref entry) && entry.VisibleAt == due && entry.State is MessageState.Delayed or MessageState.InFlight;

    private FifoGroup Group(string id)
    {
        if (!_groups.TryGetValue(id, out var group))
        {
            group = new FifoGroup(id);
            _groups.Add(id, group);
        }

        return group;
    }

    /// <summary>Adds a FIFO group to the ready list if its first live message is ready and none is in flight.</summary>
    private void OfferGroup(FifoGroup group)
    {
        if (group.InReadyList || group.InFlight > 0)
        {
            return;
        }

        var head = Head(group);
        if (head != 0 && _messages.Find(head).State == MessageState.Ready)
        {
            group.InReadyList = true;
            _readyGroups.Enqueue(group);
        }
    }

    /// <summary>The sequence number of the group's first message still in the queue (0 when none is left), dropping
    /// removed ones from the front. A message set aside to move stays: until it has moved, the group waits for it.</summary>
    private long Head(FifoGroup group)
    {
        while (group.Messages.Count > 0)
        {
            var head = group.Messages[0];
            if (_messages.Contains(head))
            {
                return head;
            }

            group.Messages.PopFront();
        }

        _groups.Remove(group.Id);
        return 0;
    }

    private void RememberDedup(string key, Guid messageId, long seq, long expiresAt)
    {
        _dedup[key] = new DedupEntry(messageId, seq, expiresAt);
        _dedupOrder.Enqueue((key, expiresAt));
    }

    /// <summary>Forgets deduplication ids and receive attempts older than the window.</summary>
    internal void ExpireDedup(long now)
    {
        while (_dedupOrder.TryPeek(out var item) && item.ExpiresAt <= now)
        {
            _dedupOrder.Dequeue();
            if (_dedup.TryGetValue(item.Key, out var entry) && entry.ExpiresAt <= now)
            {
                _dedup.Remove(item.Key);
            }
        }

        if (_attempts.Count > 0)
        {
            foreach (var key in _attempts.Where(a => a.Value.ExpiresAt <= now).Select(a => a.Key).ToList())
            {
                _attempts.Remove(key);
            }
        }
    }

    /// <summary>SQS FIFO sequence numbers are large decimal strings that only grow; 20 digits keep them sortable as text.</summary>
    internal static string FormatSequence(long seq) => seq.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);

    private void ThrowIfDeleted()
    {
        if (IsDeleted)
        {
            throw new EngineException(EngineError.QueueDoesNotExist, "The specified queue does not exist.");
        }
    }
}

/// <summary>The identity and history a message keeps when it moves to another queue.</summary>
internal sealed record MovedMessage(Guid MessageId, long SentAt, int ReceiveCount, long FirstReceiveAt, string? SourceArn);
