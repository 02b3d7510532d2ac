using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Kinesis;

/// <summary>Serves one Kinesis request, JSON 1.1 or CBOR: decode, call <see cref="IKinesisService"/>, encode.</summary>
/// <remarks>A CBOR body is translated to JSON first and the JSON answer back to CBOR (<see cref="Cbor"/>), so every
/// action has one code path.</remarks>
internal sealed class KinesisEndpoint(IServiceProvider services, ILogger logger)
{
    public const string JsonContentType = "application/x-amz-json-1.1";
    public const string CborContentType = "application/x-amz-cbor-1.1";

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private IKinesisService Service => services.GetRequiredService<IKinesisService>();

    /// <summary><paramref name="action"/> is the part of X-Amz-Target after <c>Kinesis_20131202.</c>.</summary>
    public async ValueTask HandleAsync(HttpContext http, string action, ReadOnlySequence<byte> body)
    {
        var cbor = http.Request.ContentType?.StartsWith(CborContentType, StringComparison.OrdinalIgnoreCase) == true;
        var requestId = UniqueIds.Next().ToString();
        byte[]? json = null;
        try
        {
            ReadOnlyMemory<byte> request;
            if (cbor)
            {
                var buffer = new ArrayBufferWriter<byte>((int)Math.Min(body.Length * 2, int.MaxValue / 2) + 16);
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    Cbor.ToJson(body.IsSingleSegment ? body.FirstSpan : body.ToArray(), writer);
                }

                request = buffer.WrittenMemory;
            }
            else if (body.IsSingleSegment)
            {
                request = body.First;
            }
            else
            {
                json = ArrayPool<byte>.Shared.Rent((int)body.Length);
                body.CopyTo(json);
                request = json.AsMemory(0, (int)body.Length);
            }

            await DispatchAsync(http, action, request, cbor, requestId);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            if (http.Response.HasStarted)
            {
                logger.LogError(e, "Kinesis request {RequestId} failed after its response started", requestId);
                http.Abort();
                return;
            }

            if (e is not KinesisException error)
            {
                logger.LogError(e, "Kinesis request {RequestId} failed", requestId);
                error = KinesisException.InternalFailure();
            }

            WriteError(http, error, cbor, requestId);
        }
        finally
        {
            if (json is not null)
            {
                ArrayPool<byte>.Shared.Return(json);
            }
        }
    }

    /// <summary>An error: status, <c>x-amzn-ErrorType</c>, and <c>{"__type": ..., "message": ...}</c>.</summary>
    public static void WriteError(HttpContext http, KinesisException error, bool cbor, string requestId)
    {
        var response = http.Response;
        response.StatusCode = error.Status;
        response.Headers["x-amzn-RequestId"] = requestId;
        response.Headers["x-amzn-ErrorType"] = error.Type;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("__type"u8, error.Type);
            w.WriteString("message"u8, error.Message);
            w.WriteEndObject();
        }

        Send(response, buffer.WrittenSpan, cbor);
    }

    private static void Send(HttpResponse response, ReadOnlySpan<byte> json, bool cbor)
    {
        if (cbor)
        {
            var encoded = new ArrayBufferWriter<byte>(json.Length + 16);
            Cbor.FromJson(json, encoded);
            json = encoded.WrittenSpan;
        }

        response.ContentType = cbor ? CborContentType : JsonContentType;
        response.ContentLength = json.Length;
        response.BodyWriter.Write(json);
    }

    private static T Parse<T>(ReadOnlyMemory<byte> json, JsonTypeInfo<T> type)
        where T : new()
    {
        if (json.IsEmpty)
        {
            return new T();
        }

        try
        {
            return JsonSerializer.Deserialize(json.Span, type) ?? new T();
        }
        catch (JsonException e)
        {
            throw KinesisException.Serialization(e.Path is { Length: > 1 } path ? $"Unable to read the request body: unexpected value at {path[2..]}." : "Unable to read the request body: it is not a JSON object.");
        }
    }

    private async ValueTask Reply<TRequest, TResult>(HttpContext http, ReadOnlyMemory<byte> json, bool cbor, string requestId,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResult> resultType, Func<IKinesisService, TRequest, CancellationToken, ValueTask<TResult>> call)
        where TRequest : new()
    {
        var request = Parse(json, requestType);
        var result = await call(Service, request, http.RequestAborted);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(w, result, resultType);
        }

        Ok(http, requestId);
        Send(http.Response, buffer.WrittenSpan, cbor);
    }

    private static void Ok(HttpContext http, string requestId)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.Headers["x-amzn-RequestId"] = requestId;
    }

    private async ValueTask PutRecordsAsync(HttpContext http, ReadOnlyMemory<byte> json, bool cbor, string requestId, bool single)
    {
        var input = KinesisRecordsCodec.Parse(json.Span, single);
        try
        {
            var outcome = await Service.PutRecordsAsync(input, http.RequestAborted);
            if (single && outcome.Results[0] is { Succeeded: false } failed)
            {
                throw new KinesisException("ProvisionedThroughputExceededException", failed.Message ?? "Rate exceeded.");
            }

            Ok(http, requestId);
            if (single)
            {
                var r = outcome.Results[0];
                var result = new PutRecordResult
                {
                    ShardId = Engine.Streams.StreamSequence.ShardId(r.ShardIndex),
                    SequenceNumber = outcome.Stream.SequenceNumber(r.Counter, r.ShardIndex),
                    EncryptionType = outcome.Stream.EncryptionType is "KMS" ? "KMS" : null,
                };
                Send(http.Response, JsonSerializer.SerializeToUtf8Bytes(result, KinesisJsonContext.Default.PutRecordResult), cbor);
                return;
            }

            await WriteLargeAsync(http, cbor, w => KinesisRecordsCodec.WritePutRecords(w, outcome));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input.Arena);
        }
    }

    private async ValueTask GetRecordsAsync(HttpContext http, ReadOnlyMemory<byte> json, bool cbor, string requestId)
    {
        string? iterator = null;
        int? limit = null;
        var reader = new Utf8JsonReader(json.Span);
        try
        {
            if (!json.IsEmpty && reader.Read())
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw KinesisException.Serialization("Unable to read the request body: it is not a JSON object.");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("ShardIterator"u8))
                    {
                        reader.Read();
                        iterator = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                    }
                    else if (reader.ValueTextEquals("Limit"u8))
                    {
                        reader.Read();
                        limit = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt32();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw KinesisException.Serialization("Unable to read the request body: " + e.Message);
        }

        var outcome = await Service.GetRecordsAsync(iterator, limit, http.RequestAborted);
        using (outcome.Read)
        {
            Ok(http, requestId);
            await WriteLargeAsync(http, cbor, w => KinesisRecordsCodec.WriteGetRecords(w, outcome));
        }
    }

    /// <summary>Writes a result that may be megabytes: JSON straight into the response pipe (CBOR through a buffer).</summary>
    private static async ValueTask WriteLargeAsync(HttpContext http, bool cbor, Action<Utf8JsonWriter> write)
    {
        if (cbor)
        {
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                write(w);
            }

            Send(http.Response, buffer.WrittenSpan, cbor: true);
            return;
        }

        // Headers first (the body is chunked either way, since it is flushed before it is complete): what is written
        // before the response starts is buffered and copied again behind the headers.
        http.Response.ContentType = JsonContentType;
        await http.Response.StartAsync(http.RequestAborted);
        var pipe = http.Response.BodyWriter;
        using (var w = new Utf8JsonWriter(pipe, WriterOptions))
        {
            write(w);
        }

        await pipe.FlushAsync(http.RequestAborted);
    }

    private ValueTask DispatchAsync(HttpContext http, string action, ReadOnlyMemory<byte> json, bool cbor, string id)
    {
        var c = KinesisJsonContext.Default;
        return action switch
        {
            "PutRecords" => PutRecordsAsync(http, json, cbor, id, single: false),
            "PutRecord" => PutRecordsAsync(http, json, cbor, id, single: true),
            "GetRecords" => GetRecordsAsync(http, json, cbor, id),
            "GetShardIterator" => Reply(http, json, cbor, id, c.GetShardIteratorRequest, c.GetShardIteratorResult, (s, r, t) => s.GetShardIteratorAsync(r, t)),
            "CreateStream" => Reply(http, json, cbor, id, c.CreateStreamRequest, c.KinesisEmptyResult, (s, r, t) => s.CreateStreamAsync(r, t)),
            "DeleteStream" => Reply(http, json, cbor, id, c.DeleteStreamRequest, c.KinesisEmptyResult, (s, r, t) => s.DeleteStreamAsync(r, t)),
            "DescribeStream" => Reply(http, json, cbor, id, c.DescribeStreamRequest, c.DescribeStreamResult, (s, r, t) => s.DescribeStreamAsync(r, t)),
            "DescribeStreamSummary" => Reply(http, json, cbor, id, c.StreamRef, c.DescribeStreamSummaryResult, (s, r, t) => s.DescribeStreamSummaryAsync(r, t)),
            "ListStreams" => Reply(http, json, cbor, id, c.ListStreamsRequest, c.ListStreamsResult, (s, r, t) => s.ListStreamsAsync(r, t)),
            "ListShards" => Reply(http, json, cbor, id, c.ListShardsRequest, c.ListShardsResult, (s, r, t) => s.ListShardsAsync(r, t)),
            "SplitShard" => Reply(http, json, cbor, id, c.SplitShardRequest, c.KinesisEmptyResult, (s, r, t) => s.SplitShardAsync(r, t)),
            "MergeShards" => Reply(http, json, cbor, id, c.MergeShardsRequest, c.KinesisEmptyResult, (s, r, t) => s.MergeShardsAsync(r, t)),
            "UpdateShardCount" => Reply(http, json, cbor, id, c.UpdateShardCountRequest, c.UpdateShardCountResult, (s, r, t) => s.UpdateShardCountAsync(r, t)),
            "UpdateStreamMode" => Reply(http, json, cbor, id, c.UpdateStreamModeRequest, c.KinesisEmptyResult, (s, r, t) => s.UpdateStreamModeAsync(r, t)),
            "IncreaseStreamRetentionPeriod" => Reply(http, json, cbor, id, c.RetentionRequest, c.KinesisEmptyResult, (s, r, t) => s.IncreaseStreamRetentionPeriodAsync(r, t)),
            "DecreaseStreamRetentionPeriod" => Reply(http, json, cbor, id, c.RetentionRequest, c.KinesisEmptyResult, (s, r, t) => s.DecreaseStreamRetentionPeriodAsync(r, t)),
            "AddTagsToStream" => Reply(http, json, cbor, id, c.AddTagsToStreamRequest, c.KinesisEmptyResult, (s, r, t) => s.AddTagsToStreamAsync(r, t)),
            "RemoveTagsFromStream" => Reply(http, json, cbor, id, c.RemoveTagsFromStreamRequest, c.KinesisEmptyResult, (s, r, t) => s.RemoveTagsFromStreamAsync(r, t)),
            "ListTagsForStream" => Reply(http, json, cbor, id, c.ListTagsForStreamRequest, c.ListTagsForStreamResult, (s, r, t) => s.ListTagsForStreamAsync(r, t)),
            "TagResource" => Reply(http, json, cbor, id, c.TagResourceRequest, c.KinesisEmptyResult, (s, r, t) => s.TagResourceAsync(r, t)),
            "UntagResource" => Reply(http, json, cbor, id, c.UntagResourceRequest, c.KinesisEmptyResult, (s, r, t) => s.UntagResourceAsync(r, t)),
            "ListTagsForResource" => Reply(http, json, cbor, id, c.ListTagsForResourceRequest, c.ListTagsForResourceResult, (s, r, t) => s.ListTagsForResourceAsync(r, t)),
            "RegisterStreamConsumer" => Reply(http, json, cbor, id, c.ConsumerRequest, c.RegisterStreamConsumerResult, (s, r, t) => s.RegisterStreamConsumerAsync(r, t)),
            "DeregisterStreamConsumer" => Reply(http, json, cbor, id, c.ConsumerRequest, c.KinesisEmptyResult, (s, r, t) => s.DeregisterStreamConsumerAsync(r, t)),
            "DescribeStreamConsumer" => Reply(http, json, cbor, id, c.ConsumerRequest, c.DescribeStreamConsumerResult, (s, r, t) => s.DescribeStreamConsumerAsync(r, t)),
            "ListStreamConsumers" => Reply(http, json, cbor, id, c.ListStreamConsumersRequest, c.ListStreamConsumersResult, (s, r, t) => s.ListStreamConsumersAsync(r, t)),
            "StartStreamEncryption" => Reply(http, json, cbor, id, c.EncryptionRequest, c.KinesisEmptyResult, (s, r, t) => s.StartStreamEncryptionAsync(r, t)),
            "StopStreamEncryption" => Reply(http, json, cbor, id, c.EncryptionRequest, c.KinesisEmptyResult, (s, r, t) => s.StopStreamEncryptionAsync(r, t)),
            "DescribeLimits" => Reply(http, json, cbor, id, c.KinesisEmptyResult, c.DescribeLimitsResult, (s, _, t) => s.DescribeLimitsAsync(t)),
            "EnableEnhancedMonitoring" => Reply(http, json, cbor, id, c.MonitoringRequest, c.MonitoringResult, (s, r, t) => s.EnableEnhancedMonitoringAsync(r, t)),
            "DisableEnhancedMonitoring" => Reply(http, json, cbor, id, c.MonitoringRequest, c.MonitoringResult, (s, r, t) => s.DisableEnhancedMonitoringAsync(r, t)),
            _ => throw KinesisException.UnknownOperation(),
        };
    }
}
