using System.Globalization;

namespace Ferry.Bench.Scenarios;

/// <summary>Options common to every scenario, plus scenario-specific settings given as <c>--name value</c>.</summary>
internal sealed class BenchOptions
{
    public bool Quick { get; init; }

    /// <summary>Measured seconds per row; null means the scenario's default for the mode.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Warm-up seconds per row; null means the scenario's default for the mode.</summary>
    public double? WarmupSeconds { get; init; }

    /// <summary>Where scenarios that touch disk create their temporary directories.</summary>
    public string DataDirectory { get; init; } = Path.GetTempPath();

    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Progress messages (stderr by default) — kept apart from the tables on stdout.</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;

    public TimeSpan Duration(double normal, double quick) => TimeSpan.FromSeconds(DurationSeconds ?? (Quick ? quick : normal));

    public TimeSpan Warmup(double normal, double quick) => TimeSpan.FromSeconds(WarmupSeconds ?? (Quick ? quick : normal));

    public string Setting(string name, string fallback) => Settings.TryGetValue(name, out string? value) ? value : fallback;

    public int[] IntList(string name, string fallback) =>
        [.. Setting(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture))];

    public string[] List(string name, string fallback) =>
        Setting(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A named benchmark preset.</summary>
internal interface IScenario
{
    string Name { get; }

    string Description { get; }

    /// <summary>The <c>--name value</c> settings this scenario understands, with their defaults, for the help text.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

    Task<Reporting.ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken);
}
