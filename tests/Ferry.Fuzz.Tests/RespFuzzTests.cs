using System.Buffers;
using System.Globalization;
using System.Text;
using Ferry.Fuzz.Tests.Fuzzing;
using Ferry.Fuzz.Tests.Resp;
using Ferry.Fuzz.Tests.Seeds;
using Ferry.Redis;
using Ferry.Redis.Protocol;
using Xunit.Abstractions;

namespace Ferry.Fuzz.Tests;

/// <summary>Mutated RESP: the parser alone (against itself on split input), and whole connections on a real broker.</summary>
public sealed class RespFuzzTests(ITestOutputHelper output)
{
    /// <summary>A fresh broker after this many connections, so that streams from earlier inputs stay few.</summary>
    private const int RecycleEvery = 2000;

    [Fact]
    public Task RespParser_MutatedFrames_ParseTheSameWholeOrInPieces_AndNeverConsumeAPartialFrame() =>
        FuzzRunner.RunAsync(new FuzzTarget("resp-parser", RespSeeds.Commands, RespSeeds.Grammar, FuzzLimits.Parser, 10000), input =>
        {
            var random = new Random(input.Length);
            var signature = new StringBuilder();
            // One argument buffer for all four parses, as a connection keeps one for its life: its growth (8 bytes of
            // index per argument, and an inline word can be 2 bytes) is charged once, not once per parse.
            var args = new RespArgs();
            foreach (var authenticated in (ReadOnlySpan<bool>)[true, false])
            {
                var limits = new RespLimits(RespOptions.DefaultMaxBulkLength, authenticated);
                var whole = ParseAll(new ReadOnlySequence<byte>(input), args, limits);
                // Pieces of a few bytes find boundary bugs; large inputs get larger ones, or the pieces cost more than the parse.
                var pieces = ParseAll(Segments.Split(input, random, input.Length < 4096 ? 7 : 97), args, limits);
                Assert.Equal(whole, pieces);
                // How parsing stopped, without the counts: what makes an input new.
                signature.Append(whole.AsSpan(whole.IndexOf(", ", StringComparison.Ordinal)).TrimEnd("0123456789 bytesleft")).Append(';');
            }

            return ValueTask.FromResult<FuzzOutcome>(signature.ToString());
        }, output.WriteLine);

    /// <summary>Parses every command in <paramref name="input"/>; returns how parsing stopped, with a hash of every
    /// command's arguments (cheap enough not to count against the parser's allocations).</summary>
    private static string ParseAll(ReadOnlySequence<byte> input, RespArgs args, RespLimits limits)
    {
        var hash = new HashCode();
        var buffer = input;
        long argumentBytes = 0;
        var commands = 0;
        while (true)
        {
            var before = buffer;
            var status = RespParser.TryParse(ref buffer, args, limits, out var error);
            if (status == ParseStatus.Incomplete)
            {
                // Whole or in pieces, the same bytes are left: a partial frame is never consumed.
                return string.Create(CultureInfo.InvariantCulture, $"{commands} commands {hash.ToHashCode()}, incomplete with {buffer.Length} bytes left");
            }

            if (status == ParseStatus.Error)
            {
                Assert.StartsWith("Protocol error: ", error);
                return string.Create(CultureInfo.InvariantCulture, $"{commands} commands {hash.ToHashCode()}, error {error}");
            }

            Assert.True(buffer.Length < before.Length, "a command consumed nothing");
            commands++;
            hash.Add(args.Count);
            for (var i = 0; i < args.Count; i++)
            {
                argumentBytes += args[i].Length;
                hash.AddBytes(args[i]);
            }

            Assert.True(argumentBytes <= input.Length, "the arguments hold more bytes than arrived");
        }
    }

    [Fact]
    public Task RespConnection_MutatedPipelines_AnswerWellFormedRepliesAndClose() => RunConnectionsAsync("resp-connection", null, 3000);

    /// <summary>The same with a password set: every connection starts unauthenticated (AUTH and HELLO seeds give it).</summary>
    [Fact]
    public Task RespConnection_WithAPassword_MutatedPipelines_AnswerWellFormedRepliesAndClose() => RunConnectionsAsync("resp-connection-auth", "secret", 1500);

    private async Task RunConnectionsAsync(string target, string? password, int iterations)
    {
        RespHost? host = null;
        var served = 0;
        try
        {
            await FuzzRunner.RunAsync(new FuzzTarget(target, RespSeeds.Commands, RespSeeds.Grammar, FuzzLimits.Connection, iterations), async input =>
            {
                var replies = await host!.RunAsync(input, FuzzLimits.Connection.Timeout * 0.8);
                try
                {
                    return new FuzzOutcome(RespReplyCheck.WellFormed(replies), replies.Length);
                }
                catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
                {
                    throw new InvalidOperationException($"malformed replies ({e.Message}): {InputText.Escape(replies, 2000)}", e);
                }
            }, output.WriteLine, async () =>
            {
                if (host is null || ++served >= RecycleEvery)
                {
                    if (host is not null)
                    {
                        await host.DisposeAsync();
                    }

                    host = await RespHost.StartAsync(password);
                    served = 0;
                }
            });
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }
}
