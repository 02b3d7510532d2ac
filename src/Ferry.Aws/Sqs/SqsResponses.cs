using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Aws.Sqs.Query;
using Microsoft.AspNetCore.Http;

namespace Ferry.Aws.Sqs;

/// <summary>Writes SQS responses and errors into the HTTP response, in either protocol.</summary>
/// <remarks>
/// A body is serialised into a per-thread reusable buffer first, so that the response carries a Content-Length
/// (SDKs and proxies handle it better than chunks), then copied into <see cref="HttpResponse.BodyWriter"/>.
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
        var buffer = ScratchBuffer.Rent(4096);
        var writer = RentWriter(buffer);
        try
        {
            JsonSerializer.Serialize(writer, result, typeInfo);
            writer.Flush();
            Send(response, buffer);
        }
        finally
        {
            writer.Reset(Stream.Null);
            ScratchBuffer.Return(buffer);
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
        var buffer = ScratchBuffer.Rent(4096);
        var writer = RentWriter(buffer);
        try
        {
            writer.WriteStartObject();
            writer.WriteString("__type"u8, error.JsonType);
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
            writer.Flush();
            Send(response, buffer);
        }
        finally
        {
            writer.Reset(Stream.Null);
            ScratchBuffer.Return(buffer);
        }
    }

    private static Utf8JsonWriter RentWriter(ArrayBufferWriter<byte> buffer)
    {
        var writer = t_writer;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
            t_writer = writer;
        }
        else
        {
            writer.Reset(buffer);
        }

        return writer;
    }

    private static void Send(HttpResponse response, ArrayBufferWriter<byte> buffer)
    {
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
    }

    private static void WriteUtf8(HttpResponse response, string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        response.ContentLength = length;
        var body = response.BodyWriter;
        var span = body.GetSpan(length);
        Encoding.UTF8.GetBytes(text, span);
        body.Advance(length);
    }
}
