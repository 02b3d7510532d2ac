using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Ferry.Engine.RedisStreams;
using Ferry.Redis.Protocol;

namespace Ferry.Redis.Tests;

public sealed class RespWriterTests
{
    /// <summary>Everything written, as the client would read it.</summary>
    private static async Task<byte[]> WrittenAsync(Action<RespWriter> write)
    {
        // A small minimum segment: frames cross segment boundaries as they do in a long reply.
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 256, pauseWriterThreshold: 0));
        var writer = new RespWriter(pipe.Writer);
        write(writer);
        await pipe.Writer.CompleteAsync();
        var result = await pipe.Reader.ReadAsync();
        var bytes = result.Buffer.ToArray();
        pipe.Reader.AdvanceTo(result.Buffer.End);
        Assert.Equal(bytes.Length, writer.Unflushed);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(255)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(4096)]
    [InlineData(70_000)]
    public async Task BulkStrings_OfEveryLength_AreFramedAsRedisFramesThem(int length)
    {
        var value = new string('a', length) is var s && length > 0 ? s[..^1] + "z" : s;
        var expected = Encoding.ASCII.GetBytes($"${length}\r\n{value}\r\n");

        // Several in a row, so that frames start part-way through a segment.
        var bytes = await WrittenAsync(w =>
        {
            w.Bulk(Encoding.Latin1.GetBytes(value));
            w.Bulk(value);
            w.Bulk(Encoding.Latin1.GetBytes(value));
        });

        Assert.Equal([.. expected, .. expected, .. expected], bytes);
    }

    [Fact]
    public async Task AStreamId_IsABulkString()
    {
        var bytes = await WrittenAsync(w =>
        {
            w.Id(new StreamId(1_700_000_000_123, 7));
            w.Id(StreamId.Max);
        });

        Assert.Equal("$15\r\n1700000000123-7\r\n$41\r\n18446744073709551615-18446744073709551615\r\n", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public async Task ALatin1Key_KeepsItsBytes()
    {
        var key = "k\u00e9\u00ff" + new string('x', 600);
        var bytes = await WrittenAsync(w =>
        {
            w.Bulk(key[..3]);
            w.Bulk(key);
        });

        byte[] expected = [.. "$3\r\n"u8, .. Encoding.Latin1.GetBytes(key[..3]), .. "\r\n$603\r\n"u8, .. Encoding.Latin1.GetBytes(key), .. "\r\n"u8];
        Assert.Equal(expected, bytes);
    }
}
