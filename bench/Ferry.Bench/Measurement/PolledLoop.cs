using System.Diagnostics;
using System.Net.Sockets;

namespace Ferry.Bench.Measurement;

/// <summary>One connection's request/response cycle as <see cref="PolledLoop"/> drives it.</summary>
internal interface IPolledOperation
{
    /// <summary>The socket whose readability means a response is (partly) in; set once <see cref="Start"/> has run.</summary>
    Socket? Socket { get; }

    /// <summary>Sends the next request; <paramref name="startTimestamp"/> is when its latency starts.</summary>
    void Start(long startTimestamp, bool measuring);

    /// <summary>Reads the readable socket; true once the whole response is in (a failure throws).</summary>
    bool TryComplete();
}

/// <summary>
/// Closed-loop operations on many connections, driven from one thread as wrk or redis-benchmark drive theirs: send on
/// every idle connection, wait in <c>poll</c> until some are readable, read them, start the next request on those that
/// completed. A load generator on the server's own cores costs far less this way than with a task per connection,
/// whose every response wakes a socket thread and a pool thread.
/// </summary>
internal static class PolledLoop
{
    // How often the loop looks at the phase while no response arrives.
    private const int PollMicroseconds = 50_000;

    /// <summary>How long the loop waits for the responses still outstanding when the phase stops.</summary>
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="operations"/> on a dedicated thread until <paramref name="phase"/> stops and every
    /// outstanding response is in. Latency is recorded into <paramref name="latency"/> for operations started while
    /// measuring. The task fails with the first operation's exception.
    /// </summary>
    public static Task RunAsync(IReadOnlyList<IPolledOperation> operations, LatencyHistogram latency, LoadPhase phase)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(operations, latency, phase);
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        })
        { IsBackground = true, Name = "bench polled loop" };
        thread.Start();
        return done.Task;
    }

    private static void Run(IReadOnlyList<IPolledOperation> operations, LatencyHistogram latency, LoadPhase phase)
    {
        int count = operations.Count;
        var started = new long[count];
        var measured = new bool[count];
        var busy = new bool[count];
        var sockets = new Socket?[count];
        var bySocket = new Dictionary<Socket, int>(count, ReferenceEqualityComparer.Instance);
        var readable = new List<Socket>(count);
        int outstanding = 0;

        void Start(int i)
        {
            long timestamp = Stopwatch.GetTimestamp();
            bool measuring = phase.IsMeasuring;
            operations[i].Start(timestamp, measuring);
            started[i] = timestamp;
            measured[i] = measuring;
            busy[i] = true;
            outstanding++;
            Socket socket = operations[i].Socket ?? throw new InvalidOperationException("An operation started without a socket.");
            if (!ReferenceEquals(socket, sockets[i]))
            {
                if (sockets[i] is { } previous)
                {
                    bySocket.Remove(previous);
                }

                sockets[i] = socket;
                bySocket[socket] = i;
            }
        }

        for (int i = 0; i < count && phase.IsRunning; i++)
        {
            Start(i);
        }

        long drainEnd = long.MaxValue;
        while (outstanding > 0)
        {
            readable.Clear();
            for (int i = 0; i < count; i++)
            {
                if (busy[i])
                {
                    readable.Add(sockets[i]!);
                }
            }

            Socket.Select(readable, null, null, PollMicroseconds);
            foreach (Socket socket in readable)
            {
                int i = bySocket[socket];
                if (!operations[i].TryComplete())
                {
                    continue;
                }

                busy[i] = false;
                outstanding--;
                if (measured[i])
                {
                    latency.RecordTicks(Stopwatch.GetTimestamp() - started[i]);
                }

                if (phase.IsRunning)
                {
                    Start(i);
                }
            }

            if (!phase.IsRunning)
            {
                long now = Stopwatch.GetTimestamp();
                if (drainEnd == long.MaxValue)
                {
                    drainEnd = now + (long)(DrainLimit.TotalSeconds * Stopwatch.Frequency);
                }
                else if (outstanding > 0 && now > drainEnd)
                {
                    throw new TimeoutException($"{outstanding} responses still outstanding {DrainLimit.TotalSeconds:0} s after the load stopped.");
                }
            }
        }
    }
}
