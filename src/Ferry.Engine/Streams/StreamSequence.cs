using System.Globalization;
using System.Text;

namespace Ferry.Engine.Streams;

/// <summary>
/// Kinesis sequence numbers: 56 decimal digits, <c>49</c> + the stream's counter (24 digits) + the shard's index
/// (10 digits) + the stream's creation time in milliseconds (20 digits).
/// </summary>
/// <remarks>
/// The counter is stream-wide and only grows, so numbers grow within a shard, a child shard's numbers exceed its
/// parents', and since every number has the same length they compare the same as text and as numbers. The creation
/// time ties a number to one incarnation of a stream name.
/// </remarks>
public static class StreamSequence
{
    public const int Length = 56;

    /// <summary>The length of a shard id.</summary>
    public const int ShardIdLength = 20;

    public static string Format(long counter, int shardIndex, long streamCreatedMs)
    {
        Span<byte> utf8 = stackalloc byte[Length];
        FormatUtf8(utf8, counter, shardIndex, streamCreatedMs);
        return Encoding.ASCII.GetString(utf8);
    }

    /// <summary>Writes the number as UTF-8 (the hot path of GetRecords and PutRecords).</summary>
    public static void FormatUtf8(Span<byte> destination, long counter, int shardIndex, long streamCreatedMs)
    {
        destination = destination[..Length];
        destination[0] = (byte)'4';
        destination[1] = (byte)'9';
        WriteDigits(destination.Slice(2, 24), (ulong)counter);
        WriteDigits(destination.Slice(26, 10), (uint)shardIndex);
        WriteDigits(destination.Slice(36, 20), (ulong)streamCreatedMs);
    }

    /// <summary>Writes <paramref name="value"/> in decimal filling <paramref name="destination"/>, padded with leading
    /// zeros (the caller's field is wide enough for every value it passes). Two digits per division: the runtime's
    /// padded formats (<c>D24</c>) take a slow general path that showed in GetRecords' profile.</summary>
    public static void WriteDigits(Span<byte> destination, ulong value)
    {
        var i = destination.Length;
        while (value >= 100 && i >= 2)
        {
            (value, var pair) = Math.DivRem(value, 100UL);
            var at = (int)pair * 2;
            destination[--i] = Pairs[at + 1];
            destination[--i] = Pairs[at];
        }

        while (i > 0 && value != 0)
        {
            (value, var digit) = Math.DivRem(value, 10UL);
            destination[--i] = (byte)('0' + digit);
        }

        if (value != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The value has more digits than its field.");
        }

        destination[..i].Fill((byte)'0');
    }

    /// <summary>Rewrites only the counter of a number that <see cref="FormatUtf8"/> wrote: the numbers of one shard
    /// of one stream differ in nothing else.</summary>
    public static void FormatCounterUtf8(Span<byte> destination, long counter) => WriteDigits(destination.Slice(2, 24), (ulong)counter);

    /// <summary>"00" to "99".</summary>
    private static ReadOnlySpan<byte> Pairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>Parses a number this stream issued; false for anything else.</summary>
    public static bool TryParse(string? text, out long counter, out int shardIndex, out long streamCreatedMs)
    {
        counter = 0;
        shardIndex = 0;
        streamCreatedMs = 0;
        if (text is not { Length: Length } || text[0] != '4' || text[1] != '9')
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(text.AsSpan(2, 24), NumberStyles.None, CultureInfo.InvariantCulture, out counter)
            && int.TryParse(text.AsSpan(26, 10), NumberStyles.None, CultureInfo.InvariantCulture, out shardIndex)
            && long.TryParse(text.AsSpan(36, 20), NumberStyles.None, CultureInfo.InvariantCulture, out streamCreatedMs);
    }

    /// <summary><c>shardId-000000000000</c>.</summary>
    public static string ShardId(int index)
    {
        Span<byte> utf8 = stackalloc byte[ShardIdLength];
        ShardIdUtf8(utf8, index);
        return Encoding.ASCII.GetString(utf8);
    }

    /// <summary>Writes <c>shardId-000000000000</c> as UTF-8 into the first 20 bytes of <paramref name="destination"/>.</summary>
    public static void ShardIdUtf8(Span<byte> destination, int index)
    {
        "shardId-"u8.CopyTo(destination);
        WriteDigits(destination.Slice(8, 12), (uint)index);
    }

    public static bool TryParseShardId(string? id, out int index)
    {
        index = -1;
        return id is { Length: 20 } && id.StartsWith("shardId-", StringComparison.Ordinal)
            && int.TryParse(id.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
