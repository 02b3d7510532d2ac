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
}
