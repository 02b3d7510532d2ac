using System.Globalization;
using System.Text;
using Ferry.Engine.Streams;

namespace Ferry.Engine.Tests;

public sealed class StreamSequenceTests
{
    /// <summary>The layout spelled with the runtime's padded formats: 49, counter (24), shard (10), creation ms (20).</summary>
    private static string Expected(long counter, int shard, long created) =>
        "49" + counter.ToString("D24", CultureInfo.InvariantCulture) + shard.ToString("D10", CultureInfo.InvariantCulture)
        + created.ToString("D20", CultureInfo.InvariantCulture);

    public static TheoryData<long, int, long> Numbers => new()
    {
        { 0, 0, 0 },
        { 1, 3, 1_700_000_000_123 },
        { 99, 10, 1_700_000_000_000 },
        { 100, 99, 1 },
        { 123_456_789_012_345, 1_000_000, 4_102_444_800_000 },
        { long.MaxValue, int.MaxValue, long.MaxValue },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void Format_WritesEveryFieldZeroPaddedAndParsesBack(long counter, int shard, long created)
    {
        var text = StreamSequence.Format(counter, shard, created);
        Assert.Equal(Expected(counter, shard, created), text);
        Span<byte> utf8 = stackalloc byte[StreamSequence.Length];
        StreamSequence.FormatUtf8(utf8, counter, shard, created);
        Assert.Equal(text, Encoding.ASCII.GetString(utf8));
        Assert.True(StreamSequence.TryParse(text, out var c, out var s, out var m));
        Assert.Equal((counter, shard, created), (c, s, m));
    }

    [Fact]
    public void Format_MatchesThePaddedFormats_ForRandomValues()
    {
        var random = new Random(5);
        for (var i = 0; i < 10_000; i++)
        {
            var counter = random.NextInt64(0, long.MaxValue) >> random.Next(0, 63);
            var shard = random.Next() >> random.Next(0, 31);
            var created = random.NextInt64(0, long.MaxValue) >> random.Next(0, 63);
            Assert.Equal(Expected(counter, shard, created), StreamSequence.Format(counter, shard, created));
        }
    }

    [Fact]
    public void FormatCounterUtf8_RewritesTheCounterOnly_WhateverItWasBefore()
    {
        Span<byte> utf8 = stackalloc byte[StreamSequence.Length];
        StreamSequence.FormatUtf8(utf8, long.MaxValue, 7, 1_700_000_000_123);
        foreach (var counter in new[] { 0L, 5, 123_456, long.MaxValue, 42 })
        {
            StreamSequence.FormatCounterUtf8(utf8, counter);
            Assert.Equal(Expected(counter, 7, 1_700_000_000_123), Encoding.ASCII.GetString(utf8));
        }
    }

    [Theory]
    [InlineData(0, "shardId-000000000000")]
    [InlineData(7, "shardId-000000000007")]
    [InlineData(1234, "shardId-000000001234")]
    [InlineData(int.MaxValue, "shardId-002147483647")]
    public void ShardId_IsTwelveDigits(int index, string expected)
    {
        Assert.Equal(expected, StreamSequence.ShardId(index));
        Assert.True(StreamSequence.TryParseShardId(expected, out var parsed));
        Assert.Equal(index, parsed);
    }

    [Theory]
    [InlineData(0UL, 1, "0")]
    [InlineData(9UL, 1, "9")]
    [InlineData(10UL, 3, "010")]
    [InlineData(99UL, 2, "99")]
    [InlineData(100UL, 3, "100")]
    [InlineData(12345UL, 5, "12345")]
    [InlineData(ulong.MaxValue, 20, "18446744073709551615")]
    public void WriteDigits_FillsTheField(ulong value, int width, string expected)
    {
        var field = new byte[width];
        StreamSequence.WriteDigits(field, value);
        Assert.Equal(expected, Encoding.ASCII.GetString(field));
    }

    [Theory]
    [InlineData(10UL, 1)]
    [InlineData(100UL, 2)]
    [InlineData(12345UL, 4)]
    public void WriteDigits_RefusesAValueWiderThanItsField(ulong value, int width) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamSequence.WriteDigits(new byte[width], value));
}
