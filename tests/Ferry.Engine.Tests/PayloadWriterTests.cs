using Ferry.Engine.Internal;

namespace Ferry.Engine.Tests;

public class PayloadWriterTests
{
    [Fact]
    public void BytesWrittenInPlace_ReadBackAsBytesWrittenFromACopy_AcrossGrowth()
    {
        var part = new byte[5000];
        new Random(3).NextBytes(part);
        using var copied = new PayloadWriter(16);
        copied.String("section");
        copied.Bytes(part);
        copied.I32(42);

        using var inPlace = new PayloadWriter(16);
        inPlace.String("section");
        var at = inPlace.BeginBytes();
        foreach (var chunk in part.Chunk(333))
        {
            inPlace.Raw(chunk); // the buffer grows several times between the reserved length and its end
        }

        inPlace.EndBytes(at);
        inPlace.I32(42);

        Assert.Equal(copied.WrittenSpan.ToArray(), inPlace.WrittenSpan.ToArray());
        var reader = new PayloadReader(inPlace.WrittenSpan);
        Assert.Equal("section", reader.String());
        Assert.Equal(part, reader.BytesSpan().ToArray());
        Assert.Equal(42, reader.I32());
    }

    [Fact]
    public void EmptyBytesWrittenInPlace_HaveLengthZero()
    {
        using var w = new PayloadWriter();
        w.EndBytes(w.BeginBytes());
        var reader = new PayloadReader(w.WrittenSpan);
        Assert.Equal(0, reader.BytesSpan().Length);
    }
}
