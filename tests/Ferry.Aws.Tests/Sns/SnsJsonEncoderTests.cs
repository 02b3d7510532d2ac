using System.Buffers;
using System.Text;
using System.Text.Json;
using Ferry.Aws.Sns.Delivery;

namespace Ferry.Aws.Tests.Sns;

public class SnsJsonEncoderTests
{
    private static string Escape(string text)
    {
        var source = Encoding.UTF8.GetBytes(text);
        var destination = new byte[source.Length * 6];
        Assert.Equal(OperationStatus.Done, SnsJsonEncoder.Instance.EncodeUtf8(source, destination, out int consumed, out int written));
        Assert.Equal(source.Length, consumed);
        return Encoding.UTF8.GetString(destination, 0, written);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b\\c", "a\\\"b\\\\c")]
    [InlineData("/ < > & ' + `", "/ < > & ' + `")]
    [InlineData("é中🚀\u2028\u2029\u007f\u00ad\ufeff", "é中🚀\u2028\u2029\u007f\u00ad\ufeff")]
    [InlineData("\b\t\n\f\r", "\\b\\t\\n\\f\\r")]
    [InlineData("\0\u0001\u000b\u001a\u001f", "\\u0000\\u0001\\u000B\\u001A\\u001F")]
    public void EncodeUtf8_EscapesOnlyWhatJsonRequires(string text, string expected) => Assert.Equal(expected, Escape(text));

    [Fact]
    public void EncodeUtf8_InvalidUtf8_IsReplaced()
    {
        byte[] source = [(byte)'a', 0xC3, (byte)'"', 0xFF, (byte)'b'];
        var destination = new byte[64];
        Assert.Equal(OperationStatus.Done, SnsJsonEncoder.Instance.EncodeUtf8(source, destination, out int consumed, out int written));
        Assert.Equal(source.Length, consumed);
        Assert.Equal("a\ufffd\\\"\ufffdb", Encoding.UTF8.GetString(destination, 0, written));
        Assert.Equal(1, SnsJsonEncoder.Instance.FindFirstCharacterToEncodeUtf8(source));
    }

    [Fact]
    public void EncodeUtf8_TruncatedSequence_NeedsMoreDataUnlessFinal()
    {
        byte[] source = [(byte)'a', 0xE4, 0xB8];
        var destination = new byte[64];
        Assert.Equal(OperationStatus.NeedMoreData, SnsJsonEncoder.Instance.EncodeUtf8(source, destination, out int consumed, out int written, isFinalBlock: false));
        Assert.Equal((1, 1), (consumed, written));
        Assert.Equal(OperationStatus.Done, SnsJsonEncoder.Instance.EncodeUtf8(source, destination, out consumed, out written, isFinalBlock: true));
        Assert.Equal(3, consumed);
        Assert.Equal("a\ufffd", Encoding.UTF8.GetString(destination, 0, written));
    }

    [Fact]
    public void EncodeUtf8_SmallDestination_StopsAtAWholeCharacterAndResumes()
    {
        var source = Encoding.UTF8.GetBytes("ab中\"cd");
        var output = new List<byte>();
        var destination = new byte[3];
        int at = 0;
        while (at < source.Length)
        {
            var status = SnsJsonEncoder.Instance.EncodeUtf8(source.AsSpan(at), destination, out int consumed, out int written);
            Assert.True(consumed > 0, "progress");
            output.AddRange(destination.AsSpan(0, written).ToArray());
            at += consumed;
            Assert.Equal(at == source.Length ? OperationStatus.Done : OperationStatus.DestinationTooSmall, status);
        }

        Assert.Equal("ab中\\\"cd", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [InlineData("plain text", -1)]
    [InlineData("éé\"", 4)]
    [InlineData("x\n", 1)]
    public void FindFirstCharacterToEncodeUtf8(string text, int expected) =>
        Assert.Equal(expected, SnsJsonEncoder.Instance.FindFirstCharacterToEncodeUtf8(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Utf8JsonWriter_WithTheEncoder_EscapesLikeTheEnvelope()
    {
        var text = "{\"a\":\"b\\c\"} / <b>&</b> é 中 🚀 \u2028 \u007f\t\r\n\u0001";
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SnsJsonEncoder.Instance }))
        {
            writer.WriteStartObject();
            writer.WriteString("Message", text);
            writer.WriteString("Utf8"u8, Encoding.UTF8.GetBytes(text));
            writer.WriteEndObject();
        }

        var escaped = Escape(text);
        Assert.Equal($"{{\"Message\":\"{escaped}\",\"Utf8\":\"{escaped}\"}}", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
