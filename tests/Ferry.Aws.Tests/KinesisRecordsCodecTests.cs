using System.Text;
using System.Text.Json;
using Ferry.Aws.Kinesis;

namespace Ferry.Aws.Tests;

public sealed class KinesisRecordsCodecTests
{
    /// <summary>What the JSON writer makes of the double <c>ms / 1000.0</c>, which GetRecords used to write.</summary>
    private static string AsDouble(long ms)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteNumberValue(ms / 1000.0);
        }

        return Encoding.ASCII.GetString(stream.ToArray());
    }

    private static string Formatted(long ms)
    {
        Span<byte> text = stackalloc byte[KinesisRecordsCodec.MaxEpochSecondsLength];
        return Encoding.ASCII.GetString(text[..KinesisRecordsCodec.FormatEpochSeconds(text, ms)]);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1L, "0.001")]
    [InlineData(10L, "0.01")]
    [InlineData(100L, "0.1")]
    [InlineData(999L, "0.999")]
    [InlineData(1000L, "1")]
    [InlineData(1_700_000_000_000L, "1700000000")]
    [InlineData(1_700_000_000_120L, "1700000000.12")]
    [InlineData(1_700_000_000_123L, "1700000000.123")]
    [InlineData(1_700_000_000_500L, "1700000000.5")]
    [InlineData(KinesisRecordsCodec.EpochMillisecondsLimit - 1, "999999999999.999")]
    public void FormatEpochSeconds_WritesTheShortestDecimal(long ms, string expected)
    {
        Assert.Equal(expected, Formatted(ms));
        Assert.Equal(AsDouble(ms), Formatted(ms));
    }

    [Fact]
    public void FormatEpochSeconds_MatchesTheDoubleTheWriterWrites_ForRandomTimestamps()
    {
        var random = new Random(3);
        for (var i = 0; i < 20_000; i++)
        {
            var ms = random.NextInt64(0, KinesisRecordsCodec.EpochMillisecondsLimit) >> random.Next(0, 50);
            Assert.Equal(AsDouble(ms), Formatted(ms));
        }
    }
}
