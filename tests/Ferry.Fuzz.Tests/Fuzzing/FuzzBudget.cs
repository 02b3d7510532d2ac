using System.Globalization;

namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>
/// How much each target fuzzes. The normal test run uses each target's own count, chosen so that the whole project
/// finishes within a minute on two cores; <c>FERRY_FUZZ_ITERATIONS</c> replaces every count (tests/fuzz.sh sets it
/// high), and <c>FERRY_FUZZ_SEED</c> changes the sequence of inputs, which is otherwise the same on every run.
/// </summary>
internal static class FuzzBudget
{
    public const string IterationsVariable = "FERRY_FUZZ_ITERATIONS";
    public const string SeedVariable = "FERRY_FUZZ_SEED";
    public const string FailuresVariable = "FERRY_FUZZ_FAILURES";

    /// <summary>The inputs to run for a target whose normal run takes <paramref name="defaultIterations"/>.</summary>
    public static int Iterations(int defaultIterations) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : defaultIterations;

    /// <summary>True when a long run was asked for: tests with fixed counts scale up too.</summary>
    public static bool IsLongRun => Iterations(0) > 0;

    /// <summary>The random seed of a target: fixed per target name (string hashes vary per process), or the variable's.</summary>
    public static int Seed(string target)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0x5EED;
        unchecked
        {
            // FNV-1a over the name, so that targets do not share a sequence.
            var hash = (int)2166136261;
            foreach (var c in target)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash ^ seed;
        }
    }

    /// <summary>Where failing inputs are written, one file each, to be checked in under Regressions/&lt;target&gt;.</summary>
    public static string FailuresDirectory(string target) =>
        Path.Combine(Environment.GetEnvironmentVariable(FailuresVariable) is { Length: > 0 } root ? root : Path.Combine(AppContext.BaseDirectory, "fuzz-failures"), target);
}
