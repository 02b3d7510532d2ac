using System.Globalization;
using System.Text.Json;

namespace Ferry.Engine.Queues;

/// <summary>A queue's configuration, as SQS attribute names and values.</summary>
/// <remarks>The values are validated by the protocol face before they reach the engine; here they are parsed once
/// into the typed fields the engine uses, and kept as strings to answer GetQueueAttributes exactly as set.</remarks>
public sealed class QueueSettings
{
    /// <summary>The attributes a caller may set, with SQS's defaults; absent ones are not reported.</summary>
    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["VisibilityTimeout"] = "30",
        ["DelaySeconds"] = "0",
        ["MaximumMessageSize"] = "262144",
        ["MessageRetentionPeriod"] = "345600",
        ["ReceiveMessageWaitTimeSeconds"] = "0",
        ["SqsManagedSseEnabled"] = "true",
    };

    /// <summary>Extra defaults of FIFO queues.</summary>
    public static readonly IReadOnlyDictionary<string, string> FifoDefaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["FifoQueue"] = "true",
        ["ContentBasedDeduplication"] = "false",
        ["DeduplicationScope"] = "queue",
        ["FifoThroughputLimit"] = "perQueue",
    };

    private QueueSettings(Dictionary<string, string> attributes)
    {
        Attributes = attributes;
        VisibilityTimeoutSeconds = Int("VisibilityTimeout", 30);
        DelaySeconds = Int("DelaySeconds", 0);
        MaximumMessageSize = Int("MaximumMessageSize", 262_144);
        MessageRetentionPeriodSeconds = Int("MessageRetentionPeriod", 345_600);
        ReceiveMessageWaitTimeSeconds = Int("ReceiveMessageWaitTimeSeconds", 0);
        ContentBasedDeduplication = attributes.TryGetValue("ContentBasedDeduplication", out var cbd) && cbd.Equals("true", StringComparison.OrdinalIgnoreCase);
        DeduplicationScopeIsGroup = attributes.TryGetValue("DeduplicationScope", out var ds) && ds == "messageGroup";
        if (attributes.TryGetValue("RedrivePolicy", out var redrive) && !string.IsNullOrEmpty(redrive))
        {
            using var doc = JsonDocument.Parse(redrive);
            var root = doc.RootElement;
            DeadLetterTargetArn = root.GetProperty("deadLetterTargetArn").GetString();
            var max = root.GetProperty("maxReceiveCount");
            MaxReceiveCount = max.ValueKind == JsonValueKind.Number ? max.GetInt32() : int.Parse(max.GetString()!, CultureInfo.InvariantCulture);
        }

        if (attributes.TryGetValue("RedriveAllowPolicy", out var allow) && !string.IsNullOrEmpty(allow))
        {
            using var doc = JsonDocument.Parse(allow);
            var root = doc.RootElement;
            RedrivePermission = root.GetProperty("redrivePermission").GetString() ?? "allowAll";
            if (root.TryGetProperty("sourceQueueArns", out var arns) && arns.ValueKind == JsonValueKind.Array)
            {
                RedriveSourceArns = [.. arns.EnumerateArray().Select(a => a.GetString() ?? string.Empty)];
            }
        }
    }

    /// <summary>Every attribute as set (defaults included).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    public int VisibilityTimeoutSeconds { get; }

    public int DelaySeconds { get; }

    public int MaximumMessageSize { get; }

    public int MessageRetentionPeriodSeconds { get; }

    public int ReceiveMessageWaitTimeSeconds { get; }

    public bool ContentBasedDeduplication { get; }

    public bool DeduplicationScopeIsGroup { get; }

    /// <summary>The dead-letter queue's ARN from RedrivePolicy, or null.</summary>
    public string? DeadLetterTargetArn { get; }

    public int MaxReceiveCount { get; }

    /// <summary>From RedriveAllowPolicy: allowAll (default), denyAll or byQueue.</summary>
    public string RedrivePermission { get; } = "allowAll";

    public IReadOnlyList<string> RedriveSourceArns { get; } = [];

    /// <summary>Builds settings from defaults overlaid with <paramref name="attributes"/>; an empty value removes
    /// an optional attribute (as SQS does for RedrivePolicy and Policy).</summary>
    public static QueueSettings Create(bool fifo, IReadOnlyDictionary<string, string>? attributes)
    {
        var map = new Dictionary<string, string>(Defaults, StringComparer.Ordinal);
        if (fifo)
        {
            foreach (var (k, v) in FifoDefaults)
            {
                map[k] = v;
            }
        }

        return new QueueSettings(Overlay(map, attributes));
    }

    /// <summary>These settings with <paramref name="changes"/> applied.</summary>
    public QueueSettings With(IReadOnlyDictionary<string, string> changes) =>
        new(Overlay(new Dictionary<string, string>(Attributes, StringComparer.Ordinal), changes));

    internal static QueueSettings FromStored(Dictionary<string, string> attributes) => new(attributes);

    private static Dictionary<string, string> Overlay(Dictionary<string, string> map, IReadOnlyDictionary<string, string>? changes)
    {
        if (changes is not null)
        {
            foreach (var (k, v) in changes)
            {
                if (v.Length == 0 && k is "RedrivePolicy" or "RedriveAllowPolicy" or "Policy" or "KmsMasterKeyId")
                {
                    map.Remove(k);
                }
                else
                {
                    map[k] = v;
                }
            }
        }

        return map;
    }

    /// <summary>Whether <paramref name="attributes"/> (as a CreateQueue call passes them) match these settings, the
    /// test that makes CreateQueue idempotent.</summary>
    public bool Matches(bool fifo, IReadOnlyDictionary<string, string>? attributes)
    {
        var wanted = Create(fifo, attributes).Attributes;
        return wanted.Count == Attributes.Count && wanted.All(kv => Attributes.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private int Int(string name, int fallback) =>
        Attributes.TryGetValue(name, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
