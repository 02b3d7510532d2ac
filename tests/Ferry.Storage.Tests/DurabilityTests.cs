namespace Ferry.Storage.Tests;

public class DurabilityTests
{
    [Theory]
    [InlineData("fsync", DurabilityMode.Fsync, 0)]
    [InlineData("FSYNC", DurabilityMode.Fsync, 0)]
    [InlineData("none", DurabilityMode.None, 0)]
    [InlineData("memory", DurabilityMode.Memory, 0)]
    [InlineData("interval:10", DurabilityMode.Interval, 10)]
    [InlineData(" interval:1000 ", DurabilityMode.Interval, 1000)]
    public void Parse_ValidText_ReturnsModeAndRoundTrips(string text, DurabilityMode mode, int interval)
    {
        var d = Durability.Parse(text);
        Assert.Equal(new Durability(mode, interval), d);
        Assert.Equal(d, Durability.Parse(d.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("always")]
    [InlineData("interval:")]
    [InlineData("interval:0")]
    [InlineData("interval:-5")]
    [InlineData("interval:60001")]
    [InlineData("interval:1e3")]
    public void Parse_InvalidText_ThrowsWithTheAcceptedForms(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Durability.Parse(text));
        Assert.Contains("interval:<milliseconds>", ex.Message, StringComparison.Ordinal);
    }
}
