using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ferry.Storage;

namespace Ferry.Server;

/// <summary>
/// Reads and checks Ferry's configuration. Sources, later ones winning: <c>appsettings.json</c> (and
/// <c>appsettings.{Environment}.json</c>) beside the executable, environment variables (<c>FERRY__PORT</c> is
/// <c>Ferry:Port</c>), then the command line.
/// </summary>
internal static partial class FerryConfiguration
{
    /// <summary>Command-line switches and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["--port"] = "Ferry:Port",
            ["--listen"] = "Ferry:Listen",
            ["--data"] = "Ferry:DataDirectory",
            ["--durability"] = "Ferry:Durability",
            ["--region"] = "Ferry:Region",
            ["--account-id"] = "Ferry:AccountId",
            ["--redis-port"] = "Ferry:RedisPort",
            ["--redis-password"] = "Ferry:RedisPassword",
        };

    /// <summary>Switches the generic host itself understands, accepted as they are.</summary>
    private static readonly HashSet<string> HostSwitches = new(StringComparer.OrdinalIgnoreCase) { "--environment" };

    public const string Usage = """
        Usage: Ferry.Server [options]

          --port <port>              HTTP port for the AWS faces (default 4566; 0 picks a free port)
          --listen <address>         IP address to listen on (default 127.0.0.1; 0.0.0.0 opens up)
          --data <directory>         data directory (default ./data)
          --durability <mode>        fsync | interval:<ms> | none | memory (default fsync)
          --region <region>          AWS region reported by the AWS faces (default us-east-1)
          --account-id <id>          12-digit AWS account id (default 000000000000)
          --redis-port <port>        RESP port for Redis clients (default 6379; 0 picks a free port)
          --redis-password <secret>  password Redis clients give with AUTH or HELLO (default none)
          --Ferry:<Setting>=<value>  any setting by its configuration key
          --help                     show this text

        Every setting can also be given in appsettings.json (section "Ferry") or as an
        environment variable such as FERRY__PORT=5000 or FERRY__DATADIRECTORY=/var/lib/ferry.
        """;

    public static bool IsHelp(IReadOnlyList<string> args) =>
        args.Any(a => a is "--help" or "-h" or "-?" or "/?");

    /// <summary>
    /// Refuses command-line arguments that would otherwise be silently ignored: unknown switches, switches without
    /// a value, stray words.
    /// </summary>
    /// <exception cref="FerryConfigurationException">An argument is not understood.</exception>
    public static void CheckCommandLine(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new FerryConfigurationException($"unexpected argument '{arg}' (see --help).");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            // A key path (--Ferry:Port=1, --Logging:LogLevel:Default=Debug) is configuration by name.
            if (!SwitchMappings.ContainsKey(name) && !HostSwitches.Contains(name) && !name.Contains(':', StringComparison.Ordinal))
            {
                throw new FerryConfigurationException($"unknown option '{name}' (see --help).");
            }

            if (equals < 0)
            {
                if (i + 1 >= args.Count)
                {
                    throw new FerryConfigurationException($"option '{name}' needs a value.");
                }

                i++;
            }
        }
    }

    /// <summary>Checks the <c>Ferry</c> section and resolves it into the settings the host runs with.</summary>
    /// <param name="section">The <c>Ferry</c> configuration section.</param>
    /// <param name="currentDirectory">What a relative data directory is relative to.</param>
    /// <exception cref="FerryConfigurationException">A value is invalid; the message names every problem.</exception>
    public static FerrySettings Resolve(IConfiguration section, string currentDirectory)
    {
        var errors = new List<string>();
        var known = typeof(FerryOptions).GetProperties().Select(p => p.Name).ToArray();
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"Ferry:{child.Key} is not a Ferry setting (known: {string.Join(", ", known)}).");
            }
        }

        var options = new FerryOptions();
        section.Bind(options);

        if (!int.TryParse(options.Port, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            errors.Add($"Ferry:Port (--port) must be a whole number from 0 to 65535, not '{options.Port}'.");
        }

        var listen = ParseListen(options.Listen);
        if (listen is null)
        {
            errors.Add($"Ferry:Listen (--listen) must be an IP address such as 127.0.0.1 or 0.0.0.0, not '{options.Listen}'.");
        }

        Durability durability = default;
        try
        {
            durability = Durability.Parse(options.Durability.Trim());
        }
        catch (FormatException e)
        {
            errors.Add($"Ferry:Durability (--durability): {e.Message}");
        }

        string? data = null;
        if (durability.Mode != DurabilityMode.Memory)
        {
            if (string.IsNullOrWhiteSpace(options.DataDirectory))
            {
                errors.Add("Ferry:DataDirectory (--data) must name a directory unless durability is memory.");
            }
            else
            {
                try
                {
                    data = Path.GetFullPath(options.DataDirectory, currentDirectory);
                }
                catch (ArgumentException)
                {
                    errors.Add($"Ferry:DataDirectory (--data) is not a usable path: '{options.DataDirectory}'.");
                }
            }
        }

        if (!RegionPattern().IsMatch(options.Region))
        {
            errors.Add($"Ferry:Region (--region) must look like an AWS region such as us-east-1, not '{options.Region}'.");
        }

        if (!AccountIdPattern().IsMatch(options.AccountId))
        {
            errors.Add($"Ferry:AccountId (--account-id) must be 12 digits, not '{options.AccountId}'.");
        }

        if (!bool.TryParse(options.Kinesis.EnforceShardLimits, out var shardLimits))
        {
            errors.Add($"Ferry:Kinesis:EnforceShardLimits must be true or false, not '{options.Kinesis.EnforceShardLimits}'.");
        }

        if (!bool.TryParse(options.Topics.SignQueueDeliveries, out var signQueueDeliveries))
        {
            errors.Add($"Ferry:Topics:SignQueueDeliveries must be true or false, not '{options.Topics.SignQueueDeliveries}'.");
        }

        string? publicUrl = null;
        if (!string.IsNullOrEmpty(options.Topics.PublicUrl))
        {
            if (Uri.TryCreate(options.Topics.PublicUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            {
                publicUrl = url.GetLeftPart(UriPartial.Path).TrimEnd('/');
            }
            else
            {
                errors.Add($"Ferry:Topics:PublicUrl must be an absolute http or https URL, not '{options.Topics.PublicUrl}'.");
            }
        }

        if (!int.TryParse(options.RedisPort, NumberStyles.None, CultureInfo.InvariantCulture, out var redisPort) || redisPort > IPEndPoint.MaxPort)
        {
            errors.Add($"Ferry:RedisPort (--redis-port) must be a whole number from 0 to 65535, not '{options.RedisPort}'.");
        }
        else if (redisPort != 0 && redisPort == port)
        {
            errors.Add($"Ferry:RedisPort (--redis-port) must differ from Ferry:Port (--port), both are {port}.");
        }

        if (!long.TryParse(options.RedisPubSubBufferLimit, NumberStyles.None, CultureInfo.InvariantCulture, out var pubSubLimit) || pubSubLimit < 1024)
        {
            errors.Add($"Ferry:RedisPubSubBufferLimit must be a number of bytes of at least 1024, not '{options.RedisPubSubBufferLimit}'.");
        }

        // The journal takes records of at most 16 MiB; a stream entry must fit in one.
        if (!int.TryParse(options.RedisMaxBulkLength, NumberStyles.None, CultureInfo.InvariantCulture, out var maxBulk) || maxBulk < 1024 || maxBulk > Journal.MaxPayloadLength)
        {
            errors.Add($"Ferry:RedisMaxBulkLength must be a number of bytes from 1024 to {Journal.MaxPayloadLength}, not '{options.RedisMaxBulkLength}'.");
        }

        if (!bool.TryParse(options.RedisAllowFlush, out var allowFlush))
        {
            errors.Add($"Ferry:RedisAllowFlush must be true or false, not '{options.RedisAllowFlush}'.");
        }

        if (!bool.TryParse(options.RedisEventLoop, out var eventLoop))
        {
            errors.Add($"Ferry:RedisEventLoop must be true or false, not '{options.RedisEventLoop}'.");
        }

        if (!bool.TryParse(options.HttpEventLoop, out var httpEventLoop))
        {
            errors.Add($"Ferry:HttpEventLoop must be true or false, not '{options.HttpEventLoop}'.");
        }

        // Ten milliseconds is far more often than any deployment needs; it lets a crash test hit checkpoints often.
        if (!int.TryParse(options.CheckpointInterval, NumberStyles.None, CultureInfo.InvariantCulture, out var checkpointMs) || checkpointMs < 10)
        {
            errors.Add($"Ferry:CheckpointInterval must be a number of milliseconds of at least 10, not '{options.CheckpointInterval}'.");
        }

        if (!bool.TryParse(options.InlineIo, out var inlineIo))
        {
            errors.Add($"Ferry:InlineIo must be true or false, not '{options.InlineIo}'.");
        }

        if (errors.Count > 0)
        {
            throw new FerryConfigurationException(string.Join(" ", errors));
        }

        var queues = new List<Ferry.Aws.QueueDeclaration>();
        foreach (var (name, q) in options.Queues)
        {
            var attributes = new Dictionary<string, string>(q.Attributes, StringComparer.Ordinal);
            if (name.EndsWith(".fifo", StringComparison.Ordinal))
            {
                attributes.TryAdd("FifoQueue", "true");
            }

            if (q.DeadLetterQueue is { Length: > 0 } dlq)
            {
                if (attributes.ContainsKey("RedrivePolicy"))
                {
                    errors.Add($"Ferry:Queues:{name}: give either DeadLetterQueue or Attributes:RedrivePolicy, not both.");
                }

                var arn = $"arn:aws:sqs:{options.Region}:{options.AccountId}:{dlq}";
                attributes["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{arn}\",\"maxReceiveCount\":{q.MaxReceiveCount ?? 3}}}";
            }

            queues.Add(new Ferry.Aws.QueueDeclaration(name, attributes, q.Tags));
        }

        var redis = new RedisSettings(redisPort, string.IsNullOrEmpty(options.RedisPassword) ? null : options.RedisPassword, pubSubLimit, maxBulk, allowFlush, eventLoop);
        return new FerrySettings(listen!, port, durability, data, options.Region, options.AccountId, shardLimits, redis)
        {
            Queues = queues,
            Topics = new TopicsSettings(publicUrl, signQueueDeliveries),
            CheckpointInterval = TimeSpan.FromMilliseconds(checkpointMs),
            InlineIo = inlineIo,
            HttpEventLoop = httpEventLoop,
        };
    }

    private static IPAddress? ParseListen(string text)
    {
        text = text.Trim();
        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(text, out var address) ? address : null;
    }

    // Partition (aws, aws-cn, aws-us-gov, ...) is not checked: any <area>-<direction>-<n> shape is accepted.
    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();
}

/// <summary>Ferry's configuration is invalid; the message says what is wrong in one line.</summary>
internal sealed class FerryConfigurationException : Exception
{
    public FerryConfigurationException(string message)
        : base(message)
    {
    }

    public FerryConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FerryConfigurationException()
    {
    }
}
