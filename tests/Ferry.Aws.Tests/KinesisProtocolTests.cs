using System.Net;
using System.Text;
using System.Text.Json;
using Ferry.Aws.Kinesis;
using Ferry.Engine;
using Ferry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Tests;

/// <summary>Kestrel on loopback with <c>MapFerryAws()</c> over a real broker on an in-memory journal.</summary>
public sealed class KinesisTestServer : IAsyncLifetime
{
    private WebApplication? _app;
    private Journal? _journal;
    private Broker? _broker;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _journal = await Journal.OpenAsync(new JournalOptions { Directory = "", Durability = Durability.Memory });
        _broker = Broker.Open(_journal, new BrokerOptions { StreamTransitionDelay = TimeSpan.Zero }, TimeProvider.System, startMaintenance: false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddFerryAws(_ => () => _broker);
        _app = builder.Build();
        _app.MapFerryAws();
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        Client = new HttpClient { BaseAddress = address };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _broker!.DisposeAsync();
        await _journal!.DisposeAsync();
    }
}

public sealed class KinesisProtocolTests(KinesisTestServer server) : IClassFixture<KinesisTestServer>
{
    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> Json(string action, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202." + action);
        var response = await server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone(), response);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string ContentType)> CborCall(string action, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/x-amz-cbor-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202." + action);
        var response = await server.Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            Cbor.ToJson(bytes, w);
        }

        return (response.StatusCode, JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone(), response.Content.Headers.ContentType!.MediaType!);
    }

    private async Task CreateActive(string name, int shards)
    {
        var (status, _, _) = await Json("CreateStream", $$"""{"StreamName":"{{name}}","ShardCount":{{shards}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        for (var i = 0; i < 50; i++)
        {
            var (_, d, _) = await Json("DescribeStreamSummary", $$"""{"StreamName":"{{name}}"}""");
            if (d.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() == "ACTIVE")
            {
                return;
            }

            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task PutRecords_ThenGetRecords_RoundTripsBase64DataAndSequenceNumbers()
    {
        await CreateActive("json1", 1);
        var (status, put, response) = await Json("PutRecords",
            """{"StreamName":"json1","Records":[{"Data":"aGVsbG8=","PartitionKey":"a"},{"Data":"","PartitionKey":"b","ExplicitHashKey":"5"}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, put.GetProperty("FailedRecordCount").GetInt32());
        var seq = put.GetProperty("Records")[0].GetProperty("SequenceNumber").GetString()!;
        Assert.Equal(56, seq.Length);
        Assert.Equal("shardId-000000000000", put.GetProperty("Records")[0].GetProperty("ShardId").GetString());

        var (_, it, _) = await Json("GetShardIterator", """{"StreamName":"json1","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}""");
        var (_, got, _) = await Json("GetRecords", $$"""{"ShardIterator":"{{it.GetProperty("ShardIterator").GetString()}}"}""");
        var records = got.GetProperty("Records");
        Assert.Equal(2, records.GetArrayLength());
        Assert.Equal("aGVsbG8=", records[0].GetProperty("Data").GetString());
        Assert.Equal(seq, records[0].GetProperty("SequenceNumber").GetString());
        Assert.Equal("a", records[0].GetProperty("PartitionKey").GetString());
        Assert.True(records[0].GetProperty("ApproximateArrivalTimestamp").GetDouble() > 1e9);
        Assert.Equal(0, got.GetProperty("MillisBehindLatest").GetInt64());
        Assert.False(string.IsNullOrEmpty(got.GetProperty("NextShardIterator").GetString()));
    }

    [Theory]
    [InlineData("DescribeStream", """{"StreamName":"missing"}""", "ResourceNotFoundException")]
    [InlineData("CreateStream", """{"StreamName":"bad name!","ShardCount":1}""", "ValidationException")]
    [InlineData("CreateStream", """{"StreamName":"zero","ShardCount":0}""", "ValidationException")]
    [InlineData("GetRecords", """{"ShardIterator":"AAAA"}""", "InvalidArgumentException")]
    [InlineData("PutRecords", """{"StreamName":"x","Records":[]}""", "ValidationException")]
    [InlineData("PutRecord", """{"StreamName":"x","Data":"AA==","PartitionKey":""}""", "ValidationException")]
    [InlineData("PutRecord", """{"StreamName":"x","Data":"AA==","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211456"}""", "InvalidArgumentException")]
    [InlineData("ListStreams", """{"NextToken":"bm9wZQ=="}""", "InvalidArgumentException")]
    [InlineData("NoSuchAction", "{}", "UnknownOperationException")]
    [InlineData("DescribeStream", """{"StreamName":5}""", "SerializationException")]
    public async Task Errors_CarryKinesisTypesAndStatus400(string action, string body, string type)
    {
        var (status, error, response) = await Json(action, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(type, error.GetProperty("__type").GetString());
        Assert.True(error.TryGetProperty("message", out _));
        Assert.Equal(type, response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task CreateStream_Twice_IsResourceInUse()
    {
        await CreateActive("dup", 1);
        var (status, error, _) = await Json("CreateStream", """{"StreamName":"dup","ShardCount":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ResourceInUseException", error.GetProperty("__type").GetString());
        Assert.Equal("Stream dup under account 000000000000 already exists.", error.GetProperty("message").GetString());
    }

    /// <summary>A PutRecord as the AWS SDK for Java encodes it: indefinite-length map, Data as a byte string.</summary>
    private static byte[] CborPutRecord(string stream, byte[] data, string key)
    {
        var b = new List<byte> { 0xBF };
        void Text(string s)
        {
            var u = Encoding.UTF8.GetBytes(s);
            b.Add((byte)(0x60 | u.Length));
            b.AddRange(u);
        }

        Text("StreamName");
        Text(stream);
        Text("Data");
        b.Add(0x58);
        b.Add((byte)data.Length);
        b.AddRange(data);
        Text("PartitionKey");
        Text(key);
        b.Add(0xFF);
        return [.. b];
    }

    [Fact]
    public async Task Cbor_PutRecordAndGetRecords_UseByteStringsAndTaggedTimestamps()
    {
        await CreateActive("cbor1", 1);
        var data = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        var (status, put, contentType) = await CborCall("PutRecord", CborPutRecord("cbor1", data, "pk"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/x-amz-cbor-1.1", contentType);
        Assert.Equal("shardId-000000000000", put.GetProperty("ShardId").GetString());

        var (_, it, _) = await Json("GetShardIterator", """{"StreamName":"cbor1","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}""");
        var iterator = it.GetProperty("ShardIterator").GetString()!;
        var body = new List<byte> { 0xA1, 0x6D };
        body.AddRange("ShardIterator"u8.ToArray());
        body.Add(0x78);
        body.Add((byte)iterator.Length);
        body.AddRange(Encoding.ASCII.GetBytes(iterator));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent([.. body]) };
        request.Content.Headers.ContentType = new("application/x-amz-cbor-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202.GetRecords");
        var response = await server.Client.SendAsync(request);
        var raw = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The data travels as a 40-byte CBOR byte string (0x58 0x28), the arrival time under tag 1 (0xC1).
        Assert.True(raw.AsSpan().IndexOf(new byte[] { 0x58, 0x28, 0, 1, 2, 3 }) > 0);
        Assert.True(raw.AsSpan().IndexOf((byte)0xC1) > 0);
    }

    [Fact]
    public async Task Cbor_Errors_AreCborMapsWithType()
    {
        var (status, error, contentType) = await CborCall("PutRecord", CborPutRecord("nope", [1], "k"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/x-amz-cbor-1.1", contentType);
        Assert.Equal("ResourceNotFoundException", error.GetProperty("__type").GetString());
    }

    [Theory]
    [InlineData(new byte[] { 0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })] // a byte string of 2^64-1 bytes
    [InlineData(new byte[] { 0x9B, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 })] // an array of 2^32 items
    [InlineData(new byte[] { 0xBF, 0x61, 0x41 })] // truncated map
    [InlineData(new byte[] { 0xA1, 0x01, 0x02 })] // an integer map key
    [InlineData(new byte[] { 0x1C })] // a reserved length encoding
    public void Cbor_HostileInput_IsASerializationException_NotAnAllocation(byte[] input)
    {
        using var w = new Utf8JsonWriter(new System.Buffers.ArrayBufferWriter<byte>());
        var e = Assert.Throws<KinesisException>(() => Cbor.ToJson(input, w));
        Assert.Equal("SerializationException", e.Type);
    }

    [Fact]
    public void Cbor_DeepNesting_IsRefused()
    {
        var input = Enumerable.Repeat((byte)0x81, 1000).Append((byte)0x00).ToArray();
        using var w = new Utf8JsonWriter(new System.Buffers.ArrayBufferWriter<byte>());
        Assert.Equal("SerializationException", Assert.Throws<KinesisException>(() => Cbor.ToJson(input, w)).Type);
    }

    [Fact]
    public async Task ListShards_PagesWithNextToken_AndFiltersAtLatest()
    {
        await CreateActive("shards5", 5);
        var (_, page1, _) = await Json("ListShards", """{"StreamName":"shards5","MaxResults":2}""");
        Assert.Equal(2, page1.GetProperty("Shards").GetArrayLength());
        var token = page1.GetProperty("NextToken").GetString();
        var (_, page2, _) = await Json("ListShards", $$"""{"NextToken":"{{token}}","MaxResults":10}""");
        Assert.Equal(3, page2.GetProperty("Shards").GetArrayLength());
        Assert.False(page2.TryGetProperty("NextToken", out _));

        var (_, both, _) = await Json("ListShards", $$"""{"NextToken":"{{token}}","StreamName":"shards5"}""");
        Assert.Equal("InvalidArgumentException", both.GetProperty("__type").GetString());

        await Json("MergeShards", """{"StreamName":"shards5","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"}""");
        var (_, latest, _) = await Json("ListShards", """{"StreamName":"shards5","ShardFilter":{"Type":"AT_LATEST"}}""");
        Assert.Equal(4, latest.GetProperty("Shards").GetArrayLength());
        var (_, after, _) = await Json("ListShards", """{"StreamName":"shards5","ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000003"}}""");
        Assert.Equal(["shardId-000000000004", "shardId-000000000005"], after.GetProperty("Shards").EnumerateArray().Select(s => s.GetProperty("ShardId").GetString()));
    }
}
