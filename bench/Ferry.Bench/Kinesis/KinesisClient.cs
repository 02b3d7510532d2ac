using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Ferry.Bench.Aws;
using Ferry.Bench.Http;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Kinesis;

/// <summary>
/// One keep-alive connection speaking Kinesis as the SDKs do over JSON 1.1: <c>POST /</c>,
/// <c>Content-Type: application/x-amz-json-1.1</c>, <c>X-Amz-Target: Kinesis_20131202.&lt;Action&gt;</c>, SigV4 (service
/// <c>kinesis</c>). One caller at a time; a response is valid until the next call.
/// </summary>
internal sealed class KinesisClient : IAsyncDisposable
{
    private const string ContentType = "application/x-amz-json-1.1";

    private readonly HttpConnection _connection;
    private readonly AwsRequestEncoder _encoder;
    private readonly ArrayBufferWriter<byte> _request = new(1 << 20);

    private KinesisClient(HttpConnection connection)
    {
        _connection = connection;
        _encoder = new AwsRequestEncoder(connection.Host, "kinesis", ContentType, "Kinesis_20131202.");
    }

    public static async Task<KinesisClient[]> ConnectManyAsync(IPEndPoint endPoint, int count, CancellationToken cancellationToken)
    {
        var clients = new KinesisClient[count];
        for (int i = 0; i < count; i++)
        {
            clients[i] = new KinesisClient(await HttpConnection.ConnectAsync(endPoint, cancellationToken));
        }

        return clients;
    }

    /// <summary>Signs and sends <paramref name="body"/>; throws <see cref="SqsException"/> (the benchmark's AWS error) unless 200.</summary>
    public ValueTask<ReadOnlyMemory<byte>> CallAsync(string action, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        CallAsync(action, body, null, cancellationToken);

    /// <summary>Signs and sends <paramref name="body"/>, whose hex SHA-256 is <paramref name="payloadHash"/> if given (a body
    /// sent again and again is hashed once); throws <see cref="SqsException"/> (the benchmark's AWS error) unless 200.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> CallAsync(string action, ReadOnlyMemory<byte> body, string? payloadHash, CancellationToken cancellationToken)
    {
        _request.ResetWrittenCount();
        _encoder.Write(_request, action, body, DateTimeOffset.UtcNow, payloadHash);
        HttpResponseView response = await _connection.SendAsync(_request.WrittenMemory, cancellationToken: cancellationToken);
        if (response.StatusCode != 200)
        {
            string text = Encoding.UTF8.GetString(response.Body.Span);
            throw new SqsException(action, response.StatusCode, "", text);
        }

        return response.Body;
    }

    public Task CallAsync(string action, string json, CancellationToken cancellationToken) =>
        CallAsync(action, Encoding.UTF8.GetBytes(json), cancellationToken).AsTask();

    /// <summary>The hex SHA-256 of a body, as SigV4 signs it.</summary>
    public static string PayloadHash(ReadOnlySpan<byte> body) => SigV4Signer.HexSha256(body);

    /// <summary>A PutRecords body of <paramref name="count"/> records of <paramref name="bytes"/> random bytes and random partition keys.</summary>
    public static byte[] PutRecordsBody(string stream, int count, int bytes, Random random)
    {
        var buffer = new ArrayBufferWriter<byte>(count * (bytes * 4 / 3 + 64));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("StreamName", stream);
            w.WriteStartArray("Records");
            byte[] data = new byte[bytes];
            for (int i = 0; i < count; i++)
            {
                random.NextBytes(data);
                w.WriteStartObject();
                w.WriteBase64String("Data", data);
                w.WriteString("PartitionKey", "pk-" + random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads FailedRecordCount of a PutRecords response.</summary>
    public static int FailedRecordCount(ReadOnlySpan<byte> response)
    {
        var reader = new Utf8JsonReader(response);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("FailedRecordCount"u8))
            {
                reader.Read();
                return reader.GetInt32();
            }
        }

        throw new InvalidDataException("PutRecords answered without FailedRecordCount.");
    }

    /// <summary>Counts the records of a GetRecords response and their data's base64 bytes; returns the next iterator.</summary>
    public static (int Records, long DataBytes, string? Next, long MillisBehind) ParseGetRecords(ReadOnlySpan<byte> response)
    {
        var reader = new Utf8JsonReader(response);
        int records = 0;
        long bytes = 0;
        string? next = null;
        long behind = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("Data"u8))
            {
                reader.Read();
                records++;
                bytes += reader.ValueSpan.Length * 3L / 4;
            }
            else if (reader.ValueTextEquals("NextShardIterator"u8))
            {
                reader.Read();
                next = reader.GetString();
            }
            else if (reader.ValueTextEquals("MillisBehindLatest"u8))
            {
                reader.Read();
                behind = reader.GetInt64();
            }
        }

        return (records, bytes, next, behind);
    }

    public static string ShardIterator(ReadOnlySpan<byte> response)
    {
        var reader = new Utf8JsonReader(response);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("ShardIterator"u8))
            {
                reader.Read();
                return reader.GetString()!;
            }
        }

        throw new InvalidDataException("GetShardIterator answered without ShardIterator.");
    }

    public static string StreamStatus(ReadOnlySpan<byte> response)
    {
        var reader = new Utf8JsonReader(response);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("StreamStatus"u8))
            {
                reader.Read();
                return reader.GetString()!;
            }
        }

        return "";
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
