using System.Buffers.Text;

namespace Ferry.Engine.RedisStreams;

/// <summary>A Redis stream entry id: milliseconds and a sequence number, ordered as a pair.</summary>
public readonly record struct StreamId(ulong Ms, ulong Seq) : IComparable<StreamId>
{
    public static readonly StreamId Zero = new(0, 0);

    public static readonly StreamId Max = new(ulong.MaxValue, ulong.MaxValue);

    /// <summary>"18446744073709551615-18446744073709551615".</summary>
    public const int MaxFormattedLength = 41;

    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;

    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;

    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    /// <summary>The next id, or false at <see cref="Max"/>.</summary>
    public bool TryIncrement(out StreamId next)
    {
        if (Seq < ulong.MaxValue)
        {
            next = new StreamId(Ms, Seq + 1);
            return true;
        }

        if (Ms < ulong.MaxValue)
        {
            next = new StreamId(Ms + 1, 0);
            return true;
        }

        next = this;
        return false;
    }

    /// <summary>The previous id, or false at <see cref="Zero"/>.</summary>
    public bool TryDecrement(out StreamId previous)
    {
        if (Seq > 0)
        {
            previous = new StreamId(Ms, Seq - 1);
            return true;
        }

        if (Ms > 0)
        {
            previous = new StreamId(Ms - 1, ulong.MaxValue);
            return true;
        }

        previous = this;
        return false;
    }

    /// <summary>Writes "ms-seq" into <paramref name="destination"/>; returns the bytes written.</summary>
    public int Format(Span<byte> destination)
    {
        Utf8Formatter.TryFormat(Ms, destination, out var a);
        destination[a] = (byte)'-';
        Utf8Formatter.TryFormat(Seq, destination[(a + 1)..], out var b);
        return a + 1 + b;
    }

    public override string ToString() => $"{Ms}-{Seq}";

    /// <summary>Parses "ms" or "ms-seq"; a missing sequence is <paramref name="missingSeq"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, ulong missingSeq, out StreamId id)
    {
        id = default;
        var dash = text.IndexOf((byte)'-');
        if (dash < 0)
        {
            if (!TryParseNumber(text, out var ms))
            {
                return false;
            }

            id = new StreamId(ms, missingSeq);
            return true;
        }

        if (!TryParseNumber(text[..dash], out var m) || !TryParseNumber(text[(dash + 1)..], out var s))
        {
            return false;
        }

        id = new StreamId(m, s);
        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }
}
