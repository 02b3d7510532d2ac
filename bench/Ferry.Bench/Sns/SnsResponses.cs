using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Ferry.Bench.Sns;

/// <summary>Reads the parts of SNS's XML responses that the benchmark needs (set-up calls only: Publish is checked by status).</summary>
internal static class SnsResponses
{
    /// <summary>The text of the first element named <paramref name="name"/> (any namespace), or null.</summary>
    public static string? Element(ReadOnlySpan<byte> xml, string name)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(Encoding.UTF8.GetString(xml));
        }
        catch (XmlException)
        {
            return null;
        }

        return document.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
    }

    /// <summary>The <c>Code</c> and <c>Message</c> of an <c>ErrorResponse</c>; the start of the body when it is not XML.</summary>
    public static (string Code, string Message) Error(ReadOnlySpan<byte> xml)
    {
        string? code = Element(xml, "Code");
        return code is null
            ? (string.Empty, Encoding.UTF8.GetString(xml[..Math.Min(xml.Length, 200)]))
            : (code, Element(xml, "Message") ?? string.Empty);
    }
}
