using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Aws.Sqs.Query;
using Microsoft.AspNetCore.Http;

namespace Ferry.Aws.Sqs;

/// <summary>Writes SQS responses and errors into the HTTP response, in either protocol.</summary>
/// <remarks>
/// Bodies go straight into <see cref="HttpResponse.BodyWriter"/> without a flush, so that Kestrel, which sees the
/// whole body before the headers leave, sends it with a Content-Length instead of chunks.
/// </remarks>
internal static class SqsResponses
{
    public const string JsonContentType = "application/x-amz-json-1.0";
    public const string XmlContentType = "text/xml";
    public const string RequestIdHeader = "x-amzn-RequestId";
    public const string QueryErrorHeader = "x-amzn-query-error";

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static void WriteJson<T>(HttpResponse response, string requestId, T result, JsonTypeInfo<T> typeInfo)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.Headers[RequestIdHeader] = requestId;
        var writer = RentWriter(response);
        try
        {
            JsonSerializer.Serialize(writer, result, typeInfo);
            writer.Flush();
        }
        finally
        {
            writer.Reset(Stream.Null);
        }
    }

    public static void WriteQuery(HttpResponse response, string requestId, string xml)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = XmlContentType;
        response.Headers[RequestIdHeader] = requestId;
        WriteUtf8(response, xml);
    }

    /// <summary>
    /// An error in the call's protocol. JSON: the status, <c>{"__type": ..., "message": ...}</c> and
    /// <c>x-amzn-query-error: &lt;QueryCode&gt;;Sender|Receiver</c>. Query: the status and an <c>ErrorResponse</c> document.
    /// </summary>
    public static void WriteError(HttpResponse response, bool query, string requestId, SqsError error, string message)
    {
        response.StatusCode = error.HttpStatus;
        response.Headers[RequestIdHeader] = requestId;
        if (query)
        {
            response.ContentType = XmlContentType;
            WriteUtf8(response, SqsXml.Error(error, message, requestId));
            return;
        }

        response.ContentType = JsonContentType;
        response.Headers[QueryErrorHeader] = error.QueryCode + ";" + error.FaultType;
        var writer = RentWriter(response);
        try
        {
            writer.WriteStartObject();
            writer.WriteString("__type"u8, error.JsonType);
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            writer.Reset(Stream.Null);
        }
    }

    private static Utf8JsonWriter RentWriter(HttpResponse response)
    {
        var writer = t_writer;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
            t_writer = writer;
        }
        else
        {
            writer.Reset(response.BodyWriter);
        }

        return writer;
    }

    private static void WriteUtf8(HttpResponse response, string text)
    {
        var body = response.BodyWriter;
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = body.GetSpan(max);
        int written = Encoding.UTF8.GetBytes(text, span);
        body.Advance(written);
    }
}
