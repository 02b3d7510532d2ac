using System.Globalization;

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

    public static string Format(long counter, int shardIndex, long streamCreatedMs) =>
        string.Create(Length, (counter, shardIndex, streamCreatedMs), static (span, s) =>
        {
            span[0] = '4';
            span[1] = '9';
            s.counter.TryFormat(span.Slice(2, 24), out _, "D24", CultureInfo.InvariantCulture);
            s.shardIndex.TryFormat(span.Slice(26, 10), out _, "D10", CultureInfo.InvariantCulture);
            s.streamCreatedMs.TryFormat(span.Slice(36, 20), out _, "D20", CultureInfo.InvariantCulture);
        });

    /// <summary>Writes the number as UTF-8 (the hot path of GetRecords and PutRecords).</summary>
    public static void FormatUtf8(Span<byte> destination, long counter, int shardIndex, long streamCreatedMs)
    {
        destination[0] = (byte)'4';
        destination[1] = (byte)'9';
        counter.TryFormat(destination.Slice(2, 24), out _, "D24", CultureInfo.InvariantCulture);
        shardIndex.TryFormat(destination.Slice(26, 10), out _, "D10", CultureInfo.InvariantCulture);
        streamCreatedMs.TryFormat(destination.Slice(36, 20), out _, "D20", CultureInfo.InvariantCulture);
    }

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
    public static string ShardId(int index) => "shardId-" + index.ToString("D12", CultureInfo.InvariantCulture);

    public static bool TryParseShardId(string? id, out int index)
    {
        index = -1;
        return id is { Length: 20 } && id.StartsWith("shardId-", StringComparison.Ordinal)
            && int.TryParse(id.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
