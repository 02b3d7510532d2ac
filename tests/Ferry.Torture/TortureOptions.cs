using System.Globalization;

namespace Ferry.Torture;

/// <summary>How a torture run goes.</summary>
internal sealed record TortureOptions
{
    /// <summary>SIGKILLs of the server during the load; 20 in the short mode that the test command runs.</summary>
    public int Kills { get; init; } = 20;

    /// <summary>Seeds every random choice the run makes (kill moments, payloads, which messages to delete).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The least and most load between two kills.</summary>
    public TimeSpan MinUptime { get; init; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan MaxUptime { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>The server's Ferry:CheckpointInterval in milliseconds: short, so that kills land around checkpoints
    /// (the snapshot, replay from it, compaction) and not only in the journal's tail.</summary>
    public int CheckpointIntervalMs { get; init; } = 250;

    /// <summary>The built server; by default the Ferry.Server.dll of this repository's build.</summary>
    public string? ServerDll { get; init; }

    /// <summary>Where the server keeps its data; a fresh temporary directory by default, removed after a passing run.</summary>
    public string? DataDirectory { get; init; }

    public const string Usage = """
        Ferry torture test: SIGKILLs a Ferry server under mixed SQS, SNS, Kinesis and Redis load and checks that every
        acknowledged operation survived.

          --kills <n>      kills during the run (default 20)
          --seed <n>       seed of every random choice (default 1)
          --checkpoint-interval <ms>  the server's Ferry:CheckpointInterval (default 250)
          --server <dll>   the server to run (default: FERRY_SERVER_DLL, else this repository's build)
          --data <dir>     data directory (default: a fresh temporary one)
        """;

    /// <summary>Parses command-line switches; null (with <paramref name="error"/>) when they are not valid.</summary>
    public static TortureOptions? Parse(string[] args, out string? error)
    {
        var options = new TortureOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--kills" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kills):
                    options = options with { Kills = kills };
                    i++;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seed):
                    options = options with { Seed = seed };
                    i++;
                    break;
                case "--checkpoint-interval" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var interval):
                    options = options with { CheckpointIntervalMs = interval };
                    i++;
                    break;
                case "--server" when value is not null:
                    options = options with { ServerDll = value };
                    i++;
                    break;
                case "--data" when value is not null:
                    options = options with { DataDirectory = value };
                    i++;
                    break;
                default:
                    error = $"unknown or incomplete switch '{args[i]}'";
                    return null;
            }
        }

        return options;
    }

    /// <summary>The server to run: the option, FERRY_SERVER_DLL, or src/Ferry.Server's output of the same configuration
    /// as this assembly's.</summary>
    public string ResolveServerDll()
    {
        if ((ServerDll ?? Environment.GetEnvironmentVariable("FERRY_SERVER_DLL")) is { Length: > 0 } explicitDll)
        {
            return Path.GetFullPath(explicitDll);
        }

        // <repo>/tests/<project>/bin/<configuration>/<framework>/
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx")))
            {
                return Path.Combine(dir.FullName, "src", "Ferry.Server", "bin", configuration, framework, "Ferry.Server.dll");
            }
        }

        throw new InvalidOperationException($"Ferry.slnx not found above {AppContext.BaseDirectory}; pass --server.");
    }
}
