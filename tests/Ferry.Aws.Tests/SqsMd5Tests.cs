using Ferry.Aws.Sqs;

namespace Ferry.Aws.Tests;

/// <summary>
/// Expected digests were computed with Python's hashlib following AWS's algorithm (the one SDKs use to verify
/// MD5OfMessageAttributes; moto's <c>Message.attribute_md5</c> agrees), and pasted here as literals.
/// </summary>
public class SqsMd5Tests
{
    [Theory]
    [InlineData("hello", "5d41402abc4b2a76b9719d911017c592")]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("line1\r\nline2", "133faf504928b85572d6aae8fff988aa")]
    [InlineData("héllo wörld 🚀", "016aa34f9da07755ea3589b93ac3f990")]
    [InlineData("<&>\"'", "b7af79d6dca1967fc1f4e52853b9f557")]
    public void OfBody_IsTheMd5OfTheUtf8Bytes(string body, string expected) =>
        Assert.Equal(expected, SqsMd5.OfBody(body));

    [Fact]
    public void OfBody_LargeBody_UsesAPooledBuffer() =>
        Assert.Equal("0019d23bef56a136a1891211d7007f6f", SqsMd5.OfBody(new string('\0', 100_000)));

    [Fact]
    public void OfMessageAttributes_String() =>
        Assert.Equal("d18b8150d9da5a01635a01b07cf2495c", SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["greeting"] = new() { DataType = "String", StringValue = "hello" },
        }));

    [Fact]
    public void OfMessageAttributes_Number() =>
        Assert.Equal("cd5d87852306ef398f975a8b1b73db51", SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["count"] = new() { DataType = "Number", StringValue = "42.5" },
        }));

    [Fact]
    public void OfMessageAttributes_Binary() =>
        Assert.Equal("3b1b4028306ffa157a32d5916f8f714b", SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["blob"] = new() { DataType = "Binary", BinaryValue = [0, 1, 2, 255] },
        }));

    [Fact]
    public void OfMessageAttributes_CustomLabel() =>
        Assert.Equal("f489afc663f213c4710a8ef0f3792384", SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["kind"] = new() { DataType = "String.custom-label", StringValue = "x" },
        }));

    [Fact]
    public void OfMessageAttributes_Unicode() =>
        Assert.Equal("9f03499b1e164ba7048eba8e5a034d21", SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["naïve"] = new() { DataType = "String", StringValue = "日本語 🚀" },
        }));

    [Fact]
    public void OfMessageAttributes_SortsNamesOrdinally() =>
        Assert.Equal("bf8ed25a4de148dda3a7bb173e9a9941", SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["b"] = new() { DataType = "Number", StringValue = "1" },
            ["a"] = new() { DataType = "String", StringValue = "z" },
            ["B"] = new() { DataType = "Binary", BinaryValue = [0] },
        }));

    [Fact]
    public void OfMessageAttributes_SystemAttributes() =>
        Assert.Equal("62a56dd927315f2b2e12832b84617ea5", SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["AWSTraceHeader"] = new() { DataType = "String", StringValue = "Root=1-5759e988-bd862e3fe1be46a994272793" },
        }));

    [Fact]
    public void OfMessageAttributes_None_IsNull()
    {
        Assert.Null(SqsMd5.OfMessageAttributes(null));
        Assert.Null(SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue>()));
    }
}
