using System.Globalization;

namespace Ferry.Storage;

/// <summary>When the journal acknowledges an append.</summary>
public enum DurabilityMode
{
    /// <summary>After the record is on stable storage (one <c>fdatasync</c> per group commit).</summary>
    Fsync,

    /// <summary>After the record is written to the operating system; an <c>fdatasync</c> runs at most every N ms.</summary>
    Interval,

    /// <summary>After the record is written to the operating system, which decides when to flush.</summary>
    None,

    /// <summary>No files at all: records live in memory and are lost when the process ends.</summary>
    Memory,
}

/// <summary>A durability mode and, for <see cref="DurabilityMode.Interval"/>, its period.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="IntervalMilliseconds">The fsync period for <see cref="DurabilityMode.Interval"/>; 0 otherwise.</param>
public readonly record struct Durability(DurabilityMode Mode, int IntervalMilliseconds)
{
    /// <summary>The longest fsync interval accepted: beyond a minute "interval" is no longer a durability promise.</summary>
    public const int MaxIntervalMilliseconds = 60_000;

    /// <summary>Acknowledge after fsync (the default).</summary>
    public static Durability Fsync => new(DurabilityMode.Fsync, 0);

    /// <summary>No files at all.</summary>
    public static Durability Memory => new(DurabilityMode.Memory, 0);

    /// <summary>Parses <c>fsync</c>, <c>interval:&lt;ms&gt;</c>, <c>none</c> or <c>memory</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">The text is none of those.</exception>
    public static Durability Parse(string text) =>
        TryParse(text, out var durability)
            ? durability
            : throw new FormatException(
                $"'{text}' is not a durability mode: use fsync, interval:<milliseconds> (1 to {MaxIntervalMilliseconds}), none or memory.");

    /// <summary>Parses like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string? text, out Durability durability)
    {
        durability = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Equals("fsync", StringComparison.OrdinalIgnoreCase))
        {
            durability = Fsync;
            return true;
        }

        if (s.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            durability = new(DurabilityMode.None, 0);
            return true;
        }

        if (s.Equals("memory", StringComparison.OrdinalIgnoreCase))
        {
            durability = Memory;
            return true;
        }

        const string prefix = "interval:";
        if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(s.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            && ms is >= 1 and <= MaxIntervalMilliseconds)
        {
            durability = new(DurabilityMode.Interval, ms);
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Mode switch
    {
        DurabilityMode.Fsync => "fsync",
        DurabilityMode.Interval => string.Create(CultureInfo.InvariantCulture, $"interval:{IntervalMilliseconds}"),
        DurabilityMode.None => "none",
        _ => "memory",
    };
}
