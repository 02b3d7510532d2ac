using System.Globalization;
using System.Text;
using Ferry.Bench.Reporting;
using Ferry.Bench.Scenarios;

namespace Ferry.Bench;

/// <summary>Parses the command line, runs the chosen scenarios and prints one Markdown table per scenario.</summary>
internal static class BenchRunner
{
    public static IReadOnlyList<IScenario> Scenarios { get; } = [new JournalScenario(), new HttpBaselineScenario(), new SqsScenario(), new SqsLongPollScenario(), new SqsBacklogScenario(), new SqsManyQueuesScenario(), new KinesisScenario(), new SnsFanoutScenario(), new RespScenario()];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(log);

        List<IScenario> chosen;
        BenchOptions options;
        string? outFile;
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help" or "list")
            {
                output.Write(Usage());
                return args.Length == 0 ? 2 : 0;
            }

            (chosen, options, outFile) = Parse(args, log);
        }
        catch (ArgumentException exception)
        {
            log.WriteLine(exception.Message);
            log.Write(Usage());
            return 2;
        }

        var document = new StringBuilder();
        foreach (IScenario scenario in chosen)
        {
            ScenarioReport report = await scenario.RunAsync(options, cancellationToken);
            string markdown = report.ToMarkdown();
            output.WriteLine(markdown);
            output.Flush();
            document.AppendLine(markdown);
        }

        if (outFile is not null)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(outFile));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await File.WriteAllTextAsync(outFile, document.ToString(), cancellationToken);
        }

        return 0;
    }

    internal static (List<IScenario> Scenarios, BenchOptions Options, string? OutFile) Parse(string[] args, TextWriter log)
    {
        var chosen = new List<IScenario>();
        foreach (string name in args[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (name == "all")
            {
                chosen.AddRange(Scenarios);
                continue;
            }

            chosen.Add(Scenarios.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown scenario '{name}'."));
        }

        bool quick = false;
        double? duration = null;
        double? warmup = null;
        string? outFile = null;
        string dataDirectory = Path.GetTempPath();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }

            if (arg == "--quick")
            {
                quick = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{arg} needs a value.");
            }

            string value = args[++i];
            switch (arg)
            {
                case "--duration":
                    duration = Seconds(arg, value);
                    break;
                case "--warmup":
                    warmup = Seconds(arg, value);
                    break;
                case "--out":
                    outFile = value;
                    break;
                case "--data-dir":
                    dataDirectory = value;
                    break;
                default:
                    string name = arg[2..];
                    if (!chosen.Any(s => s.Settings.Any(setting => setting.Key == name)))
                    {
                        throw new ArgumentException($"No chosen scenario has a setting '{arg}'.");
                    }

                    settings[name] = value;
                    break;
            }
        }

        var options = new BenchOptions
        {
            Quick = quick,
            DurationSeconds = duration,
            WarmupSeconds = warmup,
            DataDirectory = dataDirectory,
            Settings = settings,
            Log = log,
        };
        return (chosen, options, outFile);
    }

    private static double Seconds(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0
            ? seconds
            : throw new ArgumentException($"{name} takes a number of seconds, not '{value}'.");

    private static string Usage()
    {
        var text = new StringBuilder();
        text.Append("""
            usage: Ferry.Bench <scenario>[,<scenario>...]|all [--quick] [--duration S] [--warmup S] [--out FILE.md]
                               [--data-dir DIR] [--<setting> VALUE]...

              --quick      short smoke run (a few seconds in all)
              --duration   measured seconds per row (default per scenario)
              --warmup     warm-up seconds per row before measuring
              --out        also write the tables to this Markdown file
              --data-dir   where on-disk scenarios create their temporary directories

            scenarios:

            """);
        foreach (IScenario scenario in Scenarios)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {scenario.Name,-14} {scenario.Description}\n");
            foreach (KeyValuePair<string, string> setting in scenario.Settings)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {string.Empty,-14}   --{setting.Key} (default {setting.Value})\n");
            }
        }

        return text.ToString();
    }
}
