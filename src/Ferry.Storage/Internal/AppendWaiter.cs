using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Ferry.Storage.Internal;

/// <summary>A pooled completion for one append: the <see cref="ValueTask{TResult}"/> an appender awaits.</summary>
/// <remarks>Continuations run synchronously on the thread that completes the waiter: the one that committed the batch
/// (the flusher, or a loop closing its group; see <see cref="Journal"/>). The waiter goes back to the pool when its
/// result is read, which a <see cref="ValueTask"/> allows exactly once, so nothing touches a waiter once it is
/// completed.</remarks>
internal sealed class AppendWaiter : IValueTaskSource<RecordRef>
{
    /// <summary>Enough waiters for a few thousand concurrent appenders; beyond that new ones are simply allocated.</summary>
    private const int MaxPooled = 4096;

    private static readonly ConcurrentQueue<AppendWaiter> Pool = new();

    private ManualResetValueTaskSourceCore<RecordRef> _core = new() { RunContinuationsAsynchronously = false };

    public RecordRef Ref { get; set; }

    public ValueTask<RecordRef> Task => new(this, _core.Version);

    public static AppendWaiter Rent() => Pool.TryDequeue(out var waiter) ? waiter : new AppendWaiter();

    public void Complete() => _core.SetResult(Ref);

    public void Fail(Exception exception) => _core.SetException(exception);

    public RecordRef GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
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
