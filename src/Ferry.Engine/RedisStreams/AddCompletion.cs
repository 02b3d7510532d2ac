using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>
/// The wait of one XADD for its entry's record: when the record is durable the entry is committed (visible to
/// readers, blocked ones woken) and the id becomes the result. Pooled: an <c>async</c> method here allocated a
/// state-machine box per XADD (43 % of the bytes an XADD allocated), since every one waits for an fdatasync.
/// </summary>
/// <remarks>The commit runs where the record's append completes (the journal's flusher), whether or not anyone reads the
/// result; the object goes back to the pool when its result is read, which a <see cref="ValueTask{TResult}"/> allows
/// exactly once.</remarks>
internal sealed class AddCompletion : IValueTaskSource<StreamId?>
{
    private const int MaxPooled = 4096;

    private static readonly ConcurrentQueue<AddCompletion> Pool = new();

    private readonly Action _onDurable;
    private ManualResetValueTaskSourceCore<StreamId?> _core = new() { RunContinuationsAsynchronously = false };
    private RedisStream? _stream;
    private StreamId _id;
    private ValueTaskAwaiter<RecordRef> _durable;

    private AddCompletion() => _onDurable = OnDurable;

    /// <summary>Commits <paramref name="id"/> in <paramref name="stream"/> once <paramref name="durable"/> completes.</summary>
    public static ValueTask<StreamId?> Start(RedisStream stream, StreamId id, ValueTask<RecordRef> durable)
    {
        var completion = Pool.TryDequeue(out var pooled) ? pooled : new AddCompletion();
        completion._stream = stream;
        completion._id = id;
        completion._durable = durable.GetAwaiter();
        var task = new ValueTask<StreamId?>(completion, completion._core.Version);
        completion._durable.UnsafeOnCompleted(completion._onDurable);
        return task;
    }

    private void OnDurable()
    {
        try
        {
            _durable.GetResult();
        }
        catch (Exception e)
        {
            _core.SetException(e);
            return;
        }

        RedisStreams.Commit(_stream!, _id);
        _core.SetResult(_id);
    }

    public StreamId? GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _stream = null;
            _durable = default;
            if (Pool.Count < MaxPooled)
            {
                Pool.Enqueue(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
