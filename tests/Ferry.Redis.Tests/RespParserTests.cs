using System.Buffers;
using System.Text;
using Ferry.Redis.Protocol;

namespace Ferry.Redis.Tests;

public class RespParserTests
{
    private static readonly RespLimits Limits = new(RespOptions.DefaultMaxBulkLength, Authenticated: true);

    private static (ParseStatus Status, string[] Args, long Consumed, string? Error) Parse(ReadOnlySequence<byte> input, RespLimits? limits = null)
    {
        var args = new RespArgs();
        var buffer = input;
        var status = RespParser.TryParse(ref buffer, args, limits ?? Limits, out var error);
        var parsed = Enumerable.Range(0, args.Count).Select(args.String).ToArray();
        return (status, parsed, input.Length - buffer.Length, error);
    }

    private static (ParseStatus Status, string[] Args, long Consumed, string? Error) Parse(string input, RespLimits? limits = null) =>
        Parse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(input)), limits);

    /// <summary>A sequence with one segment per byte, as Kestrel's tests do to find boundary bugs.</summary>
    private static ReadOnlySequence<byte> OneBytePerSegment(byte[] data)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(data.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < data.Length; i++)
        {
            last = last.Append(data.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    public static TheoryData<string, string[]> ValidFrames => new()
    {
        { "*1\r\n$4\r\nPING\r\n", ["PING"] },
        { "*3\r\n$4\r\nXADD\r\n$1\r\ns\r\n$0\r\n\r\n", ["XADD", "s", ""] },
        { "*2\r\n$4\r\nECHO\r\n$5\r\na\r\nb\n\r\n", ["ECHO", "a\r\nb\n"] },
        { "PING\r\n", ["PING"] },
        { "SET a \"b c\"\r\n", ["SET", "a", "b c"] },
        { "ECHO \"\\x41\\n\" 'it\\'s'\n", ["ECHO", "A\n", "it's"] },
    };

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void TryParse_ValidFrame_ParsesArgumentsAndConsumesIt(string frame, string[] expected)
    {
        var (status, args, consumed, _) = Parse(frame);
        Assert.Equal(ParseStatus.Command, status);
        Assert.Equal(expected, args);
        Assert.Equal(Encoding.Latin1.GetByteCount(frame), consumed);
    }

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void TryParse_EveryStrictPrefix_IsIncompleteAndConsumesNothing(string frame, string[] expected)
    {
        _ = expected;
        var bytes = Encoding.Latin1.GetBytes(frame);
        for (var n = 0; n < bytes.Length; n++)
        {
            var (status, _, consumed, _) = Parse(new ReadOnlySequence<byte>(bytes, 0, n));
            if (frame[0] != '*' && n > 0 && bytes[n - 1] == '\n')
            {
                continue;
            }

            Assert.True(status == ParseStatus.Incomplete, $"prefix of {n} bytes: {status}");
            Assert.Equal(0, consumed);
        }
    }

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void TryParse_OneByteSegments_ParsesLikeOneSegment(string frame, string[] expected)
    {
        var (status, args, consumed, _) = Parse(OneBytePerSegment(Encoding.Latin1.GetBytes(frame)));
        Assert.Equal(ParseStatus.Command, status);
        Assert.Equal(expected, args);
        Assert.Equal(Encoding.Latin1.GetByteCount(frame), consumed);
    }

    [Fact]
    public void TryParse_TwoPipelinedFrames_ParsesTheFirstOnly()
    {
        var (status, args, consumed, _) = Parse("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
        Assert.Equal(ParseStatus.Command, status);
        Assert.Equal(["PING"], args);
        Assert.Equal(14, consumed);
    }

    [Fact]
    public void TryParse_EmptyMultibulkAndBlankLines_AreSkipped()
    {
        var (status, args, _, _) = Parse("*0\r\n\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
        Assert.Equal(ParseStatus.Command, status);
        Assert.Equal(["PING"], args);
    }

    [Theory]
    [InlineData("*2000000\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*abc\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*9223372036854775808\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n$-5\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$2147483648\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$99999999999\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'")]
    [InlineData("ECHO \"abc\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("ECHO 'a'b\r\n", "Protocol error: unbalanced quotes in request")]
    public void TryParse_HostileInput_IsAProtocolError(string input, string error)
    {
        var (status, _, consumed, message) = Parse(input);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(error, message);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void TryParse_HugeAnnouncedBulk_WaitsWithoutAllocatingIt()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var (status, _, _, _) = Parse("*1\r\n$16000000\r\nabc");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ParseStatus.Incomplete, status);
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void TryParse_HugeAnnouncedMultibulk_WaitsWithoutAllocatingIt()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var (status, _, _, _) = Parse("*1048576\r\n$1\r\na\r\n");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ParseStatus.Incomplete, status);
        Assert.True(allocated < 100_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void TryParse_InlineLongerThan64KiB_IsAnError()
    {
        var (status, _, _, error) = Parse(new string('a', RespParser.MaxInlineLength + 1));
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal("Protocol error: too big inline request", error);
    }

    [Fact]
    public void TryParse_CountLineWithoutEnd_IsAnErrorPast64KiB()
    {
        var (status, _, _, error) = Parse("*" + new string('1', RespParser.MaxInlineLength + 1));
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal("Protocol error: too big mbulk count string", error);
    }

    [Fact]
    public void TryParse_Unauthenticated_RefusesManyArgumentsAndLargeBulks()
    {
        var unauthenticated = new RespLimits(RespOptions.DefaultMaxBulkLength, Authenticated: false);
        Assert.Equal("Protocol error: invalid multibulk length", Parse("*11\r\n", unauthenticated).Error);
        Assert.Equal("Protocol error: invalid bulk length", Parse("*1\r\n$16385\r\n", unauthenticated).Error);
    }

    /// <summary>Inputs that once misbehaved under random mutation of valid frames, kept as regressions.</summary>
    [Theory]
    [InlineData("*1\r\n$4\r\nPING\r\r")]
    [InlineData("*1\r\n$\r\n")]
    [InlineData("*-0\r\n")]
    [InlineData("*01\r\n$4\r\nPING\r\n")]
    [InlineData("\"\r\n")]
    [InlineData("*1\r\n$4\rPING\r\n")]
    [InlineData("\0\0\0\n")]
    public void TryParse_FuzzRegressions_DoNotThrow(string input)
    {
        var (status, _, consumed, _) = Parse(input);
        Assert.True(consumed <= input.Length);
        Assert.True(Enum.IsDefined(status));
    }

    [Fact]
    public void TryParse_RandomMutations_NeverThrowOrOverconsume()
    {
        var random = new Random(1234);
        var seed = Encoding.Latin1.GetBytes("*3\r\n$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\nPING\r\n");
        for (var round = 0; round < 20000; round++)
        {
            var data = (byte[])seed.Clone();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(data.Length + 1);
            var (status, _, consumed, _) = Parse(new ReadOnlySequence<byte>(data, 0, length));
            Assert.True(consumed <= length);
            Assert.True(Enum.IsDefined(status));
        }
    }
}
