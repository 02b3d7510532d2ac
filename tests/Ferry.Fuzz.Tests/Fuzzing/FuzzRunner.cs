using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>
/// Checks one input. It returns how the target answered and throws when an oracle fails; any exception that escapes
/// counts as a failure.
/// </summary>
internal delegate ValueTask<FuzzOutcome> FuzzCheck(byte[] input);

/// <summary>How a target answered one input.</summary>
/// <param name="Signature">A short summary (status and error code, say): an input answered in a way not seen before
/// joins the corpus.</param>
/// <param name="OutputLength">Bytes the target answered with: a small request may rightly fetch a large answer, so
/// the allocation bound grows with these too.</param>
internal readonly record struct FuzzOutcome(string Signature, long OutputLength = 0)
{
    public static implicit operator FuzzOutcome(string signature) => new(signature);
}

/// <summary>One target's fuzzing: what it starts from and how it is judged.</summary>
/// <param name="Name">The target's name: its regression folder and its seed.</param>
/// <param name="Seeds">Valid inputs to mutate.</param>
/// <param name="Grammar">The format's words and nestings.</param>
/// <param name="Limits">Time and allocations one input may cost.</param>
/// <param name="Iterations">Inputs in the normal test run.</param>
internal sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Grammar Grammar, FuzzLimits Limits, int Iterations);

/// <summary>
/// The loop: replay the target's regression inputs, then mutate inputs from the corpus and check each one, bounding
/// its time and allocations. An input that answers in a way not seen before joins the corpus, a cheap stand-in for
/// coverage feedback. Failing inputs are written to files and reported with their bytes.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>The corpus stops growing here, so that mutations keep returning to the seeds.</summary>
    private const int MaxCorpus = 512;

    /// <summary>A run stops after this many failures: they are usually the same defect.</summary>
    private const int MaxFailures = 5;

    /// <param name="target">What to fuzz.</param>
    /// <param name="check">Runs and judges one input.</param>
    /// <param name="log">Receives the run's summary.</param>
    /// <param name="beforeEach">Runs before each input, outside its time and allocation bounds (a target recycles its
    /// server there).</param>
    public static async Task<FuzzReport> RunAsync(FuzzTarget target, FuzzCheck check, Action<string>? log = null, Func<ValueTask>? beforeEach = null)
    {
        var failures = new List<string>();
        var report = new FuzzReport(target.Name);
        var corpus = new List<byte[]>(target.Seeds);
        var signatures = new HashSet<string>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();

        foreach (var (name, input) in Regressions.Load(target.Name))
        {
            if (await TryAsync(target, check, input, report, signatures, failures, "regression " + name, beforeEach))
            {
                corpus.Add(input);
            }
        }

        foreach (var seed in target.Seeds)
        {
            await TryAsync(target, check, seed, report, signatures, failures, "seed", beforeEach);
        }

        Assert.True(failures.Count == 0, "Seeds or regression inputs fail:\n" + string.Join("\n\n", failures));

        var random = new Random(FuzzBudget.Seed(target.Name));
        var mutator = new Mutator(random, target.Grammar);
        var iterations = FuzzBudget.Iterations(target.Iterations);
        for (var i = 0; i < iterations && failures.Count < MaxFailures; i++)
        {
            var input = mutator.Mutate(corpus[random.Next(corpus.Count)], corpus);
            if (await TryAsync(target, check, input, report, signatures, failures, "mutant " + i.ToString(CultureInfo.InvariantCulture), beforeEach)
                && report.NewSignature && corpus.Count < MaxCorpus)
            {
                corpus.Add(input);
            }

            if (report.Hung)
            {
                break;
            }
        }

        report.Elapsed = stopwatch.Elapsed;
        report.CorpusSize = corpus.Count;
        log?.Invoke(report.ToString());
        Assert.True(failures.Count == 0, $"{target.Name}: {failures.Count} failing input(s); each is saved under {FuzzBudget.FailuresDirectory(target.Name)}\n\n"
            + string.Join("\n\n", failures));
        return report;
    }

    /// <returns>True when the input passed.</returns>
    private static async Task<bool> TryAsync(FuzzTarget target, FuzzCheck check, byte[] input, FuzzReport report,
        HashSet<string> signatures, List<string> failures, string what, Func<ValueTask>? beforeEach)
    {
        if (beforeEach is not null)
        {
            await beforeEach();
        }

        var limits = target.Limits;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        long? allocatedOnThread = null;
        var started = Stopwatch.GetTimestamp();
        string? problem = null;
        var outcome = new FuzzOutcome("");
        var run = Task.Run(() =>
        {
            // A check that completes synchronously is measured exactly, on its own thread; others by the process's
            // counter, which is coarser (it lags by each thread's allocation context).
            var before = GC.GetAllocatedBytesForCurrentThread();
            var pending = check(input);
            if (pending.IsCompleted)
            {
                allocatedOnThread = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            return pending.AsTask();
        });
        try
        {
            outcome = await run.WaitAsync(limits.Timeout);
        }
        catch (TimeoutException)
        {
            problem = $"did not finish within {limits.Timeout.TotalSeconds} s";
            report.Hung = true;
        }
        catch (Exception e)
        {
            problem = e.ToString();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = allocatedOnThread ?? GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        report.Inputs++;
        report.Slowest = elapsed > report.Slowest ? elapsed : report.Slowest;
        if (allocated > report.MostAllocated)
        {
            report.MostAllocated = allocated;
            report.MostAllocatedBy = $"{input.Length:N0} bytes in, {outcome.OutputLength:N0} out: {InputText.Escape(input, 120)}";
        }

        if (problem is null && elapsed > limits.Timeout)
        {
            problem = $"took {elapsed.TotalMilliseconds:F0} ms, more than {limits.Timeout.TotalSeconds} s";
        }

        var bound = limits.AllocationBound(input.Length + outcome.OutputLength);
        if (problem is null && allocated > bound)
        {
            problem = $"allocated {allocated:N0} bytes for {input.Length:N0} input and {outcome.OutputLength:N0} output bytes (bound {bound:N0})";
        }

        if (problem is null)
        {
            report.NewSignature = signatures.Add(outcome.Signature);
            return true;
        }

        report.NewSignature = false;
        var file = Save(target.Name, input);
        failures.Add($"{what} ({input.Length} bytes, saved as {file}):\n  input: {InputText.Escape(input)}\n  {problem}");
        return false;
    }

    /// <summary>Writes a failing input to a file named by its hash, ready to be checked in as a regression.</summary>
    private static string Save(string target, byte[] input)
    {
        var directory = FuzzBudget.FailuresDirectory(target);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(input))[..16] + ".bin");
        File.WriteAllBytes(path, input);
        return path;
    }
}

/// <summary>What a run did, printed to the test output.</summary>
internal sealed class FuzzReport(string target)
{
    public int Inputs { get; set; }

    public int CorpusSize { get; set; }

    public TimeSpan Elapsed { get; set; }

    public TimeSpan Slowest { get; set; }

    public long MostAllocated { get; set; }

    /// <summary>The input that allocated most, for the log.</summary>
    public string MostAllocatedBy { get; set; } = "";

    /// <summary>Whether the last input answered in a way not seen before.</summary>
    public bool NewSignature { get; set; }

    /// <summary>An input timed out: the target's state is not trustworthy any more.</summary>
    public bool Hung { get; set; }

    public override string ToString() => new StringBuilder()
        .Append(CultureInfo.InvariantCulture, $"{target}: {Inputs} inputs in {Elapsed.TotalSeconds:F1} s, corpus {CorpusSize}, ")
        .Append(CultureInfo.InvariantCulture, $"slowest {Slowest.TotalMilliseconds:F0} ms, most allocated {MostAllocated:N0} bytes")
        .Append(CultureInfo.InvariantCulture, $" ({MostAllocatedBy})")
        .ToString();
}
