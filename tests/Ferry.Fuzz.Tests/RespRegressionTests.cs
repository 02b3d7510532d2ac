using System.Buffers;
using System.Text;
using Ferry.Fuzz.Tests.Resp;
using Ferry.Redis;
using Ferry.Redis.Protocol;

namespace Ferry.Fuzz.Tests;

/// <summary>Inputs the RESP fuzzers found, each with the answer Ferry must give now.</summary>
public sealed class RespRegressionTests
{
    [Fact]
    public void RespParser_LengthLineWhoseCrIsNotFollowedByLf_ParsesAlikeWholeAndByteByByte()
    {
        // Redis ends a length line at its CR and skips the next byte unchecked: "$4\rX" is a length of 4.
        var input = Encoding.ASCII.GetBytes("*1\r\n$4\rXPING\r\n");
        foreach (var sequence in new[] { new ReadOnlySequence<byte>(input), Segments.Split(input, new Random(1), 1) })
        {
            var args = new RespArgs();
            var buffer = sequence;
            Assert.Equal(ParseStatus.Command, RespParser.TryParse(ref buffer, args, new RespLimits(RespOptions.DefaultMaxBulkLength, true), out _));
            Assert.Equal("PING", args.String(0));
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task RespConnection_BlockedWithMoreThan64KiBPipelinedAroundIt_AnswersWhatCameBeforeAndEndsWhenTheClientHangsUp()
    {
        // The blocked XREAD leaves the rest of the pipeline unread; the client has sent all of it (Ferry's transport
        // reads up to 1 MiB ahead) and hangs up, which ends the connection. The two inline lines keep more than 64 KiB
        // unread, below the inline limit each.
        var junk = new string('x', 40_000);
        var input = Encoding.ASCII.GetBytes(
            $"PING {junk}\r\nPING {junk}\r\n*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n1-1\r\n$1\r\nf\r\n$1\r\nv\r\n" +
            "XREAD BLOCK 0 STREAMS s $\r\nPING\r\n");
        await using var host = await RespHost.StartAsync();

        var replies = Encoding.ASCII.GetString(await host.RunAsync(input, TimeSpan.FromSeconds(10)));

        var echo = $"$40000\r\n{junk}\r\n";
        Assert.Equal(echo + echo + "$3\r\n1-1\r\n", replies);
    }
}
