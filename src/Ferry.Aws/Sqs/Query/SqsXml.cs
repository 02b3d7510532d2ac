using System.Globalization;
using System.Text;

namespace Ferry.Aws.Sqs.Query;

/// <summary>
/// Writes the Query-protocol XML of SQS (and, with its namespace, of SNS): the response envelope, the error envelope, and each result's members in the
/// element names of botocore's Query model. Text is escaped as AWS escapes it, carriage return included
/// (<c>&amp;#xD;</c>), so that an XML parser's end-of-line normalisation cannot turn it into a line feed.
/// </summary>
internal sealed class SqsXml
{
    /// <summary>The namespace of every SQS Query response.</summary>
    public const string Namespace = "http://queue.amazonaws.com/doc/2012-11-05/";

    /// <summary>The largest builder a thread keeps for its next document (a big ReceiveMessage answer is not kept).</summary>
    private const int MaxCachedCapacity = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    private readonly StringBuilder _text;

    private SqsXml(StringBuilder text) => _text = text;

    public override string ToString() => _text.ToString();

    /// <summary>A writer over this thread's builder, taken until <see cref="Finish"/>: each response needs one only
    /// while it is written, and a new one per response was a sixth of what an SNS Publish allocates.</summary>
    private static SqsXml Start()
    {
        var text = t_cached ?? new StringBuilder(512);
        t_cached = null;
        return new SqsXml(text);
    }

    /// <summary>The document's text; the builder goes back to the thread.</summary>
    private string Finish()
    {
        var text = _text.ToString();
        if (_text.Capacity <= MaxCachedCapacity)
        {
            _text.Clear();
            t_cached = _text;
        }

        return text;
    }

    /// <summary>A whole response: <c>&lt;ActionResponse&gt;&lt;ActionResult&gt;...&lt;/ActionResult&gt;&lt;ResponseMetadata/&gt;</c>.</summary>
    public static string Response(string action, string requestId, Action<SqsXml>? result, string xmlNamespace = Namespace)
    {
        var xml = Start();
        xml.Raw("<?xml version=\"1.0\"?>");
        xml.Raw("<").Raw(action).Raw("Response xmlns=\"").Raw(xmlNamespace).Raw("\">");
        if (result is not null)
        {
            xml.Raw("<").Raw(action).Raw("Result>");
            result(xml);
            xml.Raw("</").Raw(action).Raw("Result>");
        }

        xml.Raw("<ResponseMetadata>").Element("RequestId", requestId).Raw("</ResponseMetadata>");
        xml.Raw("</").Raw(action).Raw("Response>");
        return xml.Finish();
    }

    /// <summary>An error response: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;Detail/&gt;&lt;/Error&gt;&lt;RequestId/&gt;</c>.</summary>
    public static string Error(SqsError error, string message, string requestId, string xmlNamespace = Namespace)
    {
        var xml = Start();
        xml.Raw("<?xml version=\"1.0\"?>");
        xml.Raw("<ErrorResponse xmlns=\"").Raw(xmlNamespace).Raw("\"><Error>");
        xml.Element("Type", error.FaultType).Element("Code", error.QueryCode).Element("Message", message).Raw("<Detail/>");
        xml.Raw("</Error>").Element("RequestId", requestId).Raw("</ErrorResponse>");
        return xml.Finish();
    }

    public SqsXml Raw(string text)
    {
        _text.Append(text);
        return this;
    }

    public SqsXml Open(string name)
    {
        _text.Append('<').Append(name).Append('>');
        return this;
    }

    public SqsXml Close(string name)
    {
        _text.Append("</").Append(name).Append('>');
        return this;
    }

    /// <summary>Writes <c>&lt;name&gt;value&lt;/name&gt;</c>, or nothing when the value is null.</summary>
    public SqsXml Element(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        Open(name);
        Escape(value);
        return Close(name);
    }

    public SqsXml Element(string name, long? value) =>
        value is null ? this : Element(name, value.Value.ToString(CultureInfo.InvariantCulture));

    public SqsXml Element(string name, bool value) => Element(name, value ? "true" : "false");

    public SqsXml Element(string name, byte[]? value) =>
        value is null ? this : Element(name, Convert.ToBase64String(value));

    /// <summary>A flattened map of strings: <c>&lt;entry&gt;&lt;Name/&gt;&lt;Value/&gt;&lt;/entry&gt;</c> per pair.</summary>
    public SqsXml Map(string entry, Dictionary<string, string>? map, string keyName = "Name", string valueName = "Value")
    {
        if (map is null)
        {
            return this;
        }

        foreach (var (key, value) in map)
        {
            Open(entry).Element(keyName, key).Element(valueName, value).Close(entry);
        }

        return this;
    }

    /// <summary>A flattened list of strings: one <c>&lt;member&gt;</c> per item.</summary>
    public SqsXml List(string member, List<string>? list)
    {
        if (list is null)
        {
            return this;
        }

        foreach (string item in list)
        {
            Element(member, item);
        }

        return this;
    }

    /// <summary>Message attributes: <c>&lt;MessageAttribute&gt;&lt;Name/&gt;&lt;Value&gt;&lt;StringValue/&gt;&lt;DataType/&gt;&lt;/Value&gt;&lt;/MessageAttribute&gt;</c>.</summary>
    public SqsXml MessageAttributes(string entry, Dictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null)
        {
            return this;
        }

        foreach (var (name, value) in attributes)
        {
            Open(entry).Element("Name", name).Open("Value");
            Element("StringValue", value.StringValue);
            Element("BinaryValue", value.BinaryValue);
            if (value.StringListValues is not null)
            {
                List("StringListValue", value.StringListValues);
            }

            if (value.BinaryListValues is not null)
            {
                foreach (byte[] binary in value.BinaryListValues)
                {
                    Element("BinaryListValue", binary);
                }
            }

            Element("DataType", value.DataType);
            Close("Value").Close(entry);
        }

        return this;
    }

    public SqsXml BatchErrors(List<BatchResultErrorEntry>? failed)
    {
        if (failed is null)
        {
            return this;
        }

        foreach (var error in failed)
        {
            Open("BatchResultErrorEntry")
                .Element("Id", error.Id)
                .Element("SenderFault", error.SenderFault)
                .Element("Code", error.Code)
                .Element("Message", error.Message)
                .Close("BatchResultErrorEntry");
        }

        return this;
    }

    private void Escape(string value)
    {
        int start = 0;
        for (int i = 0; i < value.Length; i++)
        {
            string? entity = value[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                '\r' => "&#xD;",
                // Characters XML 1.0 cannot carry even as references (text echoed from a request may hold them):
                // the replacement character keeps the document well-formed.
                < ' ' and not '\t' and not '\n' or '\uFFFE' or '\uFFFF' => "\uFFFD",
                _ => null,
            };
            if (entity is null)
            {
                continue;
            }

            _text.Append(value, start, i - start).Append(entity);
            start = i + 1;
        }

        _text.Append(value, start, value.Length - start);
    }
}
