using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Sns;

/// <summary>A topic as the benchmark addresses it: its ARN, and the ARN form-encoded once for every Publish.</summary>
internal sealed class SnsTopic
{
    public SnsTopic(string arn)
    {
        Arn = arn;
        var encoded = new ArrayBufferWriter<byte>(arn.Length * 3);
        SnsForm.Encode(encoded, arn);
        EncodedArn = encoded.WrittenSpan.ToArray();
    }

    public string Arn { get; }

    /// <summary>The ARN as form-encoded text (<c>:</c> becomes <c>%3A</c>), written into every request as is.</summary>
    public byte[] EncodedArn { get; }
}

/// <summary>
/// <c>application/x-www-form-urlencoded</c> bodies as botocore writes them for the Query protocol (Python's
/// <c>urlencode</c>): letters, digits and <c>_.-~</c> kept, a space as <c>+</c>, every other UTF-8 byte as <c>%XX</c>.
/// </summary>
internal static class SnsForm
{
    /// <summary>The API version every SNS Query request names.</summary>
    public const string Version = "2010-03-31";

    /// <summary>Starts a body: <c>Action=…&amp;Version=2010-03-31</c>.</summary>
    public static void Begin(IBufferWriter<byte> output, string action)
    {
        Raw(output, "Action="u8);
        Encode(output, action);
        Raw(output, "&Version=2010-03-31"u8);
    }

    /// <summary>Appends <c>&amp;name=value</c>, both encoded.</summary>
    public static void Parameter(IBufferWriter<byte> output, string name, string value)
    {
        Raw(output, "&"u8);
        Encode(output, name);
        Raw(output, "="u8);
        Encode(output, value);
    }

    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    public static void Integer(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }

    /// <summary>Writes <paramref name="value"/> form-encoded.</summary>
    public static void Encode(IBufferWriter<byte> output, string value)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = maxBytes > 512 ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        Span<byte> utf8 = rented is null ? stackalloc byte[512] : rented;
        int length = Encoding.UTF8.GetBytes(value, utf8);
        Span<byte> span = output.GetSpan(length * 3);
        int n = 0;
        foreach (byte b in utf8[..length])
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'.' or (byte)'-' or (byte)'~')
            {
                span[n++] = b;
            }
            else if (b == ' ')
            {
                span[n++] = (byte)'+';
            }
            else
            {
                span[n++] = (byte)'%';
                span[n++] = HexDigit(b >> 4);
                span[n++] = HexDigit(b & 0xF);
            }
        }

        output.Advance(n);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'A' + value - 10);
}

/// <summary>The form bodies of the SNS actions the benchmark uses, members in the order botocore serializes them.</summary>
internal static class SnsRequests
{
    public static void CreateTopic(IBufferWriter<byte> output, string name)
    {
        SnsForm.Begin(output, "CreateTopic");
        SnsForm.Parameter(output, "Name", name);
    }

    /// <summary>Subscribe with <c>Attributes.entry.N.key</c> / <c>.value</c> in the order given.</summary>
    public static void Subscribe(
        IBufferWriter<byte> output, SnsTopic topic, string protocol, string endpoint, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        SnsForm.Begin(output, "Subscribe");
        TopicArn(output, topic);
        SnsForm.Parameter(output, "Protocol", protocol);
        SnsForm.Parameter(output, "Endpoint", endpoint);
        for (int i = 0; i < attributes.Count; i++)
        {
            string entry = $"Attributes.entry.{i + 1}.";
            SnsForm.Parameter(output, entry + "key", attributes[i].Key);
            SnsForm.Parameter(output, entry + "value", attributes[i].Value);
        }
    }

    public static void Unsubscribe(IBufferWriter<byte> output, string subscriptionArn)
    {
        SnsForm.Begin(output, "Unsubscribe");
        SnsForm.Parameter(output, "SubscriptionArn", subscriptionArn);
    }

    /// <summary>
    /// Publish of a stamped body (<see cref="SqsRequests.MessageBody"/>: needs no encoding) with the attributes
    /// <c>kind</c> = String <c>order</c> and <c>amount</c> = Number <paramref name="amount"/>, and with
    /// <paramref name="probe"/> also <c>probe</c> = String <c>1</c>.
    /// </summary>
    public static void Publish(IBufferWriter<byte> output, SnsTopic topic, long stamp, int bodyBytes, long amount, bool probe)
    {
        SnsForm.Begin(output, "Publish");
        TopicArn(output, topic);
        SnsForm.Raw(output, "&Message="u8);
        SqsRequests.MessageBody(output, stamp, bodyBytes);
        SnsForm.Raw(output, "&MessageAttributes.entry.1.Name=kind&MessageAttributes.entry.1.Value.DataType=String"u8);
        SnsForm.Raw(output, "&MessageAttributes.entry.1.Value.StringValue=order"u8);
        SnsForm.Raw(output, "&MessageAttributes.entry.2.Name=amount&MessageAttributes.entry.2.Value.DataType=Number"u8);
        SnsForm.Raw(output, "&MessageAttributes.entry.2.Value.StringValue="u8);
        SnsForm.Integer(output, amount);
        if (probe)
        {
            SnsForm.Raw(output, "&MessageAttributes.entry.3.Name=probe&MessageAttributes.entry.3.Value.DataType=String"u8);
            SnsForm.Raw(output, "&MessageAttributes.entry.3.Value.StringValue=1"u8);
        }
    }

    private static void TopicArn(IBufferWriter<byte> output, SnsTopic topic)
    {
        SnsForm.Raw(output, "&TopicArn="u8);
        SnsForm.Raw(output, topic.EncodedArn);
    }
}
