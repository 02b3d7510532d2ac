using System.Diagnostics;

namespace Ferry.Bench.Measurement;

/// <summary>The phase of a load run, read by every worker before each operation.</summary>
internal sealed class LoadPhase
{
    // The states in the order a run passes through them; an int so that workers read it with one volatile load.
    private const int Warmup = 0;
    private const int Measuring = 1;
    private const int Stopped = 2;

    private volatile int _state = Warmup;

    public bool IsRunning => _state != Stopped;

    public bool IsMeasuring => _state == Measuring;

    internal void StartMeasuring() => _state = Measuring;

    internal void Stop() => _state = Stopped;
}

/// <summary>What one closed-loop run measured.</summary>
internal sealed record LoadResult(LatencyHistogram Latency, double Seconds, double CpuSeconds, long? PeakResidentBytes);

/// <summary>
/// Runs N closed-loop workers (each starts its next operation when the previous one completes) through a
/// warm-up and a measured interval. Each worker records into its own <see cref="LatencyHistogram"/>; they are
/// merged after the run, so recording takes no lock.
/// </summary>
internal static class ClosedLoop
{
    /// <param name="workers">Number of concurrent workers.</param>
    /// <param name="loop">
    /// A worker's loop: <c>(workerIndex, histogram, phase)</c>. It must run while <see cref="LoadPhase.IsRunning"/>
    /// and record an operation's latency only if <see cref="LoadPhase.IsMeasuring"/> was true when it began.
    /// </param>
    /// <param name="warmup">Time to run before measuring (JIT tiering, connection and page-cache warm-up).</param>
    /// <param name="duration">The measured interval.</param>
    /// <param name="target">The process whose CPU time and peak RSS are reported.</param>
    public static async Task<LoadResult> RunAsync(
        int workers, Func<int, LatencyHistogram, LoadPhase, Task> loop, TimeSpan warmup, TimeSpan duration, ProcessSampler target)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(target);
        var phase = new LoadPhase();
        var histograms = new LatencyHistogram[workers];
        var tasks = new Task[workers];
        for (int i = 0; i < workers; i++)
        {
            int index = i;
            histograms[i] = new LatencyHistogram();
            tasks[i] = Task.Run(async () =>
            {
                try
                {
                    await loop(index, histograms[index], phase);
                }
                catch
                {
                    phase.Stop(); // one failing worker ends the run for all
                    throw;
                }
            });
        }

        // The clock runs on its own thread: workers whose operations complete synchronously may occupy every
        // thread-pool thread, and a timer callback queued behind them would stretch the measured interval.
        var window = new TaskCompletionSource<(double Seconds, double Cpu, long? Rss)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new Thread(() =>
        {
            try
            {
                Thread.Sleep(warmup);
                target.Start(resetPeak: true);
                long start = Stopwatch.GetTimestamp();
                phase.StartMeasuring();
                Thread.Sleep(duration);
                phase.Stop();
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                (double cpu, long? rss) = target.Stop();
                window.SetResult((seconds, cpu, rss));
            }
            catch (Exception exception)
            {
                phase.Stop();
                window.SetException(exception);
            }
        })
        { IsBackground = true, Name = "bench clock" };
        clock.Start();

        Task all = Task.WhenAll(tasks);
        Task first = await Task.WhenAny(all, window.Task);
        if (first == all && all.IsFaulted)
        {
            await all; // surfaces the worker's exception without waiting out the clock
        }

        (double measuredSeconds, double cpuSeconds, long? peak) = await window.Task;
        await all;

        var merged = new LatencyHistogram();
        foreach (LatencyHistogram histogram in histograms)
        {
            merged.Add(histogram);
        }

        return new LoadResult(merged, measuredSeconds, cpuSeconds, peak);
    }
}
