using System.Text;
using System.Text.Json;

namespace Ferry.Bench.Sqs;

/// <summary>Reads the stamp a message body carries; false when it carries none.</summary>
internal delegate bool StampReader(ReadOnlySpan<byte> body, out long stamp);

/// <summary>
/// The messages of one ReceiveMessage response, kept in reusable buffers: each receipt handle as the raw
/// bytes between its quotes (escapes included, ready to be written back into a JSON request) and the stamp
/// read from each body (by default from its start: <see cref="SqsRequests.MessageBody"/>). Reused by one worker
/// for every receive, so a receive allocates nothing once the buffers have grown.
/// </summary>
internal sealed class ReceivedMessages
{
    private readonly StampReader _readStamp;
    private byte[] _handles = new byte[4096];
    private int _handleBytes;
    private (int Start, int Length)[] _handleSpans = new (int, int)[10];
    private long[] _stamps = new long[10];

    /// <param name="readStamp">How a body's stamp is read; <see cref="SqsRequests.TryReadStamp"/> when null.</param>
    public ReceivedMessages(StampReader? readStamp = null) => _readStamp = readStamp ?? SqsRequests.TryReadStamp;

    public int Count { get; private set; }

    public ReadOnlySpan<byte> RawReceiptHandle(int index) => _handles.AsSpan(_handleSpans[index].Start, _handleSpans[index].Length);

    public string ReceiptHandle(int index) => Encoding.UTF8.GetString(RawReceiptHandle(index));

    /// <summary>The stamp at the start of the body, or -1 when the body carries none.</summary>
    public long Stamp(int index) => _stamps[index];

    /// <summary>
    /// Parses a ReceiveMessage response body (<c>{"Messages":[{"ReceiptHandle":"…","Body":"…",…},…]}</c>, or
    /// <c>{}</c> when none arrived) with <see cref="Utf8JsonReader"/>; unknown members are skipped.
    /// </summary>
    public void Parse(ReadOnlySpan<byte> json)
    {
        Count = 0;
        _handleBytes = 0;
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("Messages"u8))
            {
                Next(ref reader);
                reader.Skip();
                continue;
            }

            if (Next(ref reader) == JsonTokenType.Null)
            {
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new InvalidDataException("ReceiveMessage: Messages is not an array.");
            }

            while (Next(ref reader) == JsonTokenType.StartObject)
            {
                ParseMessage(ref reader);
            }
        }
    }

    private void ParseMessage(ref Utf8JsonReader reader)
    {
        int index = Count;
        if (index == _stamps.Length)
        {
            Array.Resize(ref _stamps, index * 2);
            Array.Resize(ref _handleSpans, index * 2);
        }

        _stamps[index] = -1;
        _handleSpans[index] = (0, -1);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ReceiptHandle"u8))
            {
                Next(ref reader);
                ReadOnlySpan<byte> raw = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
                if (_handleBytes + raw.Length > _handles.Length)
                {
                    Array.Resize(ref _handles, Math.Max(_handles.Length * 2, _handleBytes + raw.Length));
                }

                raw.CopyTo(_handles.AsSpan(_handleBytes));
                _handleSpans[index] = (_handleBytes, raw.Length);
                _handleBytes += raw.Length;
            }
            else if (reader.ValueTextEquals("Body"u8))
            {
                Next(ref reader);
                if (reader.ValueIsEscaped)
                {
                    // The benchmark's own bodies never need escaping; someone else's message, or an SNS envelope, does.
                    _stamps[index] = _readStamp(Encoding.UTF8.GetBytes(reader.GetString() ?? string.Empty), out long unescaped) ? unescaped : -1;
                }
                else
                {
                    _stamps[index] = _readStamp(reader.ValueSpan, out long stamp) ? stamp : -1;
                }
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        if (_handleSpans[index].Length < 0)
        {
            throw new InvalidDataException("ReceiveMessage: a message without ReceiptHandle.");
        }

        Count++;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new InvalidDataException("Truncated JSON response.");

    internal static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new InvalidDataException($"Expected {type} in the JSON response, found {reader.TokenType}.");
        }
    }
}

/// <summary>Reads the parts of other SQS responses that the benchmark needs, with <see cref="Utf8JsonReader"/>.</summary>
internal static class SqsResponses
{
    /// <summary>Counts the entries of <c>Successful</c> and <c>Failed</c> in a SendMessageBatch or DeleteMessageBatch response.</summary>
    public static (int Successful, int Failed) BatchResult(ReadOnlySpan<byte> json)
    {
        int successful = 0;
        int failed = 0;
        var reader = new Utf8JsonReader(json);
        ReceivedMessages.Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isSuccessful = reader.ValueTextEquals("Successful"u8);
            bool isFailed = !isSuccessful && reader.ValueTextEquals("Failed"u8);
            reader.Read();
            if ((isSuccessful || isFailed) && reader.TokenType == JsonTokenType.StartArray)
            {
                int entries = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    entries++;
                    reader.Skip();
                }

                if (isSuccessful)
                {
                    successful = entries;
                }
                else
                {
                    failed = entries;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return (successful, failed);
    }

    /// <summary>The <c>QueueUrl</c> of a CreateQueue or GetQueueUrl response.</summary>
    public static string QueueUrl(ReadOnlySpan<byte> json) =>
        StringMember(json, "QueueUrl"u8) ?? throw new InvalidDataException("The response has no QueueUrl.");

    /// <summary>The <c>Attributes</c> map of a GetQueueAttributes response.</summary>
    public static Dictionary<string, string> Attributes(ReadOnlySpan<byte> json)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json);
        ReceivedMessages.Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isAttributes = reader.ValueTextEquals("Attributes"u8);
            reader.Read();
            if (isAttributes && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string name = reader.GetString()!;
                    reader.Read();
                    attributes[name] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return attributes;
    }

    /// <summary>The error code (<c>__type</c> without its namespace prefix) and message of a JSON error response.</summary>
    public static (string Code, string Message) Error(ReadOnlySpan<byte> json)
    {
        try
        {
            string type = StringMember(json, "__type"u8) ?? string.Empty;
            string message = StringMember(json, "message"u8) ?? StringMember(json, "Message"u8) ?? string.Empty;
            int hash = type.LastIndexOf('#');
            return (hash >= 0 ? type[(hash + 1)..] : type, message);
        }
        catch (Exception exception) when (exception is JsonException or InvalidDataException)
        {
            return (string.Empty, Encoding.UTF8.GetString(json[..Math.Min(json.Length, 200)]));
        }
    }

    private static string? StringMember(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("The response is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }
}
