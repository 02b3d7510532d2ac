using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>Runs histories generation after generation — each starting from what a power loss or a process crash
/// during the one before left — and checks recovery at every crash state the model allows.</summary>
internal sealed partial class PowerLossRun
{
    private const int MaxFailuresReported = 12;

    private readonly List<string> _failures = [];
    private readonly Dictionary<string, int> _failureKinds = [];
    private readonly RecoveryCounts _counts = new();

    public int Seeds { get; private set; }

    public int Generations { get; private set; }

    public int Appends { get; private set; }

    public int Acknowledged { get; private set; }

    public int Events { get; private set; }

    public int Syncs { get; private set; }

    public int Checkpoints { get; private set; }

    public long Compacted { get; private set; }

    public int CrashStates { get; private set; }

    /// <summary>Generations that began after a process crash rather than a power loss.</summary>
    public int ProcessCrashes { get; private set; }

    public int FailedStates { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    /// <summary>How long to keep running new seeds once the minimum ran, from <c>FERRY_POWERLOSS_SECONDS</c> (the long
    /// run); zero by default.</summary>
    public static TimeSpan BudgetFromEnvironment() =>
        double.TryParse(Environment.GetEnvironmentVariable("FERRY_POWERLOSS_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.Zero;

    public static async Task<PowerLossRun> RunAsync(PowerLossSettings settings, bool acknowledgedMeansSynced, int firstSeed, int minSeeds,
        int generations, int randomVariants, TimeSpan budget)
    {
        var run = new PowerLossRun();
        var clock = Stopwatch.StartNew();
        for (var seed = firstSeed; run.Seeds < minSeeds || clock.Elapsed < budget; seed++)
        {
            await run.RunSeedAsync(settings, acknowledgedMeansSynced, seed, generations, randomVariants);
            run.Seeds++;
            if (run._failures.Count >= MaxFailuresReported)
            {
                break;
            }
        }

        run.Elapsed = clock.Elapsed;
        return run;
    }

    private async Task RunSeedAsync(PowerLossSettings settings, bool acknowledgedMeansSynced, int seed, int generations, int randomVariants)
    {
        var image = new DiskImage();
        List<DeviceEvent> unsynced = [];
        var nextId = 1L;
        IEnumerable<long> ids = [];
        for (var generation = 0; generation < generations; generation++)
        {
            var history = await PowerLossWorkload.RunAsync(image, unsynced, settings, (seed * 1000) + generation, generation, nextId, ids);
            Generations++;
            Appends += history.Appends;
            Acknowledged += history.Acknowledged;
            Events += history.Events.Count;
            Syncs += history.Syncs;
            Checkpoints += history.Snapshots.Count;
            Compacted += history.Compacted;

            // After a power loss the next generation starts from one of the crash states, picked uniformly among the
            // mixed ones; after a process crash (every other generation), from what a SIGKILL right after a random
            // write leaves: the durable files, and that write and any other unsynced ones still in the page cache.
            var pick = new Random(seed + generation);
            CrashState? next = null;
            var candidates = 0;
            var failuresBefore = _failures.Count;
            foreach (var state in PowerLossModel.Enumerate(history.Initial, history.Events, (seed * 31) + generation, randomVariants))
            {
                CrashStates++;
                var options = CrashStates % 8 == 0 ? settings.Options : MemoryOptions(settings);
                var problem = await RecoveryVerifier.CheckAsync(state, history, options, acknowledgedMeansSynced, _counts);
                if (problem is not null)
                {
                    Fail(seed, generation, state, history, problem);
                    if (_failures.Count - failuresBefore >= 3)
                    {
                        return;
                    }

                    continue;
                }

                if (state.Description.StartsWith("random", StringComparison.Ordinal) && pick.Next(++candidates) == 0)
                {
                    next = state;
                }
            }

            if (_failures.Count > failuresBefore || next is null)
            {
                return;
            }

            (image, unsynced) = (next.Image, []);
            if (generation % 2 == 1)
            {
                var writes = Enumerable.Range(0, history.Events.Count).Where(i => history.Events[i].Kind == DeviceEventKind.Write).ToList();
                for (var attempt = 0; attempt < 10 && writes.Count > 0; attempt++)
                {
                    if (PowerLossModel.ProcessCrash(history.Initial, history.Events, writes[pick.Next(writes.Count)] + 1) is { } crash)
                    {
                        (image, unsynced) = crash;
                        ProcessCrashes++;
                        break;
                    }
                }
            }

            nextId = history.NextId;
            ids = history.Ids;
        }
    }

    private static JournalOptions MemoryOptions(PowerLossSettings settings) =>
        new() { Directory = "power-loss", Durability = Durability.Memory, SegmentSize = settings.SegmentSize };

    private void Fail(int seed, int generation, CrashState state, GenerationHistory history, string problem)
    {
        FailedStates++;
        // Failures of one kind differ only in numbers and names: group them by what is left.
        var kind = Numbers().Replace(problem.Split(':')[0], "#");
        _failureKinds[kind] = _failureKinds.GetValueOrDefault(kind) + 1;
        if (_failures.Count >= MaxFailuresReported)
        {
            return;
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"seed {seed}, generation {generation}, crash after event {state.EventIndex} of {history.Events.Count} ({state.Description}):");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {problem}");
        for (var i = Math.Max(0, state.EventIndex - 6); i < Math.Min(history.Events.Count, state.EventIndex + 2); i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {(i < state.EventIndex ? "  " : "x ")}#{i} {history.Events[i]}");
        }

        _failures.Add(text.ToString());
    }

    public bool Passed => FailedStates == 0;

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Numbers();

    public string Summary =>
        $"{Seeds} seeds × {Generations / Math.Max(1, Seeds)} generations ({ProcessCrashes} begun after a process crash): {Appends} appends ({Acknowledged} acknowledged), "
        + $"{Events} device requests, {Syncs} fdatasyncs, {Checkpoints} checkpoints, {Compacted} records compacted; "
        + $"{CrashStates} crash states checked ({_counts.TornTails} with a torn tail cut, {_counts.TornSegments} with a torn new segment deleted, "
        + $"{_counts.InterruptedDeletions} with an interrupted segment deletion finished), {FailedStates} failed, in {Elapsed.TotalSeconds:F1} s";

    public string Describe()
    {
        var text = new StringBuilder(Summary).AppendLine();
        foreach (var (kind, count) in _failureKinds)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{count} × {kind}");
        }

        foreach (var failure in _failures)
        {
            text.Append(failure);
        }

        return text.ToString();
    }
}
