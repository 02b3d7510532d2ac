using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Ferry.Storage;

namespace Ferry.Transport;

/// <summary>
/// One thread that waits on epoll for every connection of a listener, reads what arrived, runs the connections'
/// protocol loops on it (their input pipes resume inline) and sends their responses (their output pipes resume here).
/// </summary>
/// <remarks>
/// <para>This is how redis-server serves its clients, and why it wakes so rarely: while the thread sends one round of
/// replies the next round of requests arrives, and one <c>epoll_wait</c> returns all of it. Each pass over the ready
/// sockets is one group of the journal (<see cref="Journal.BeginGroup"/>), so the commands (or HTTP requests) of a
/// pass share one fdatasync, as redis-server's share one per pass. A loop made to sync its small passes itself does so
/// as it closes the group, as redis-server syncs before it sleeps, and its replies are written on the loop; otherwise
/// responses completed on other threads (an XADD's or a Publish's, by the journal's flusher after its fdatasync) are
/// posted to the loop, which an eventfd wakes once per burst.</para>
/// <para>Every file-descriptor operation of a connection happens on this thread, so none of them needs a lock. A
/// command or request that takes long (KEYS over many streams, a large XRANGE, a 5 MB PutRecords) delays the other
/// connections of the loop, as it does in redis-server.</para>
/// </remarks>
internal sealed unsafe class EventLoop : PipeScheduler, IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = ulong.MaxValue;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Journal? _journal;
    private readonly bool _syncsSmallPasses;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<(Action<object?> Action, object? State)> _queue = new();
    private readonly Dictionary<int, EventLoopConnection> _connections = [];
    private int _signalled;
    private int _writers;
    private volatile bool _stopping;
    private volatile bool _stopped;

    public EventLoop(string name, Journal? journal, bool syncsSmallPasses = false)
    {
        _journal = journal;
        _syncsSmallPasses = syncsSmallPasses;
        _epoll = Native.EpollCreate(Native.EpollCloexec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _wake = Native.EventFd(0, Native.EfdCloexec | Native.EfdNonblock);
        if (_wake < 0)
        {
            Native.Close(_epoll);
            throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var ev = new Native.EpollEvent { Events = Native.EpollIn, Data = WakeToken };
        Native.EpollCtl(_epoll, Native.EpollCtlAdd, _wake, &ev);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    private bool OnLoop => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>Runs <paramref name="action"/> on the loop: after the current pass when called on it, else as soon as
    /// the loop wakes; once the loop has stopped, on the calling thread.</summary>
    public override void Schedule(Action<object?> action, object? state)
    {
        _queue.Enqueue((action, state));
        if (_stopped)
        {
            // Whatever is still queued runs here: a connection's close must happen even after the loop has gone.
            RunQueued();
        }
        else if (!OnLoop && Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            // Counted, so that Dispose never closes the eventfd under a write (its number could be reused).
            Interlocked.Increment(ref _writers);
            if (!_stopped)
            {
                ulong one = 1;
                Native.Write(_wake, (byte*)&one, sizeof(ulong));
            }

            Interlocked.Decrement(ref _writers);
        }
    }

    public void Post(Action action) => Schedule(static a => ((Action)a!)(), action);

    /// <summary>Starts watching a connection's socket and sending what its application writes.</summary>
    public void Add(EventLoopConnection connection) => Schedule(static c =>
    {
        var conn = (EventLoopConnection)c!;
        conn.Loop.Watch(conn, Native.EpollIn | Native.EpollRdHup);
        conn.Start();
    }, connection);

    /// <summary>Watches a socket for <paramref name="events"/>; on the loop only.</summary>
    public void Watch(EventLoopConnection connection, uint events)
    {
        _connections[connection.Fd] = connection;
        Control(Native.EpollCtlAdd, connection.Fd, events);
    }

    /// <summary>Stops watching a socket; on the loop only.</summary>
    public void Remove(EventLoopConnection connection)
    {
        if (_connections.Remove(connection.Fd) && !_stopped)
        {
            Native.EpollCtl(_epoll, Native.EpollCtlDel, connection.Fd, null);
        }
    }

    /// <summary>Whether the loop watches <paramref name="connection"/>'s socket.</summary>
    public bool Watches(EventLoopConnection connection) =>
        _connections.TryGetValue(connection.Fd, out var watched) && ReferenceEquals(watched, connection);

    /// <summary>Sets which events of a watched socket wake the loop; on the loop only.</summary>
    public void Control(int op, int fd, uint events)
    {
        if (_stopped)
        {
            return;
        }

        var ev = new Native.EpollEvent { Events = events, Data = (ulong)fd };
        Native.EpollCtl(_epoll, op, fd, &ev);
    }

    private void Run()
    {
        var events = stackalloc Native.EpollEvent[MaxEvents];
        while (!_stopping)
        {
            var n = Native.EpollWait(_epoll, events, MaxEvents, _queue.IsEmpty ? -1 : 0);
            if (n < 0)
            {
                continue; // EINTR
            }

            // One pass is one group of the journal: what its commands and requests append shares one fdatasync. A loop
            // that syncs small passes itself does so as it closes the group, as redis-server syncs before it sleeps,
            // and sends the replies in the next pass; other passes go to the flusher while the loop reads on.
            _journal?.BeginGroup();
            try
            {
                Dispatch(events, n);
                RunQueued();
            }
            finally
            {
                _journal?.EndGroup(commitIfSmall: _syncsSmallPasses);
            }
        }

        _stopped = true;
        RunQueued();
    }

    private void Dispatch(Native.EpollEvent* events, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var data = events[i].Data;
            if (data == WakeToken)
            {
                ulong value;
                Native.Read(_wake, (byte*)&value, sizeof(ulong));
                Volatile.Write(ref _signalled, 0);
                continue;
            }

            if (_connections.TryGetValue((int)data, out var connection))
            {
                var flags = events[i].Events;
                if ((flags & (Native.EpollOut | Native.EpollErr | Native.EpollHup)) != 0)
                {
                    connection.OnWritable();
                }

                if ((flags & (Native.EpollIn | Native.EpollErr | Native.EpollHup | Native.EpollRdHup)) != 0)
                {
                    connection.OnReadable(flags);
                }
            }
        }
    }

    private void RunQueued()
    {
        // Bounded to what was queued when the pass began, so that work posting more work cannot starve the sockets.
        var count = _queue.Count;
        while (count-- > 0 && _queue.TryDequeue(out var item))
        {
            // Continuations of pipes and async methods keep their own exceptions; nothing here may stop the loop.
#pragma warning disable CA1031
            try
            {
                item.Action(item.State);
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031
        }
    }

    public void Dispose()
    {
        _stopping = true;
        ulong one = 1;
        Native.Write(_wake, (byte*)&one, sizeof(ulong));
        _thread.Join();
        SpinWait.SpinUntil(() => Volatile.Read(ref _writers) == 0);
        Native.Close(_wake);
        Native.Close(_epoll);
    }
}
