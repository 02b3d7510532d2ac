using Ferry.Fuzz.Tests.Fuzzing;
using Ferry.Fuzz.Tests.Seeds;

namespace Ferry.Fuzz.Tests.Http;

/// <summary>
/// Shrinks a failing sequence (<c>*.seq</c>) to the inputs it needs: each input is dropped in turn, and stays dropped
/// when the sequence, replayed on a fresh host, still fails. A hang counts as a failure.
/// </summary>
internal static class SequenceMinimizer
{
    public static async Task<List<byte[]>> MinimizeAsync(IReadOnlyList<byte[]> sequence, TimeSpan timeout, Action<string> log)
    {
        var kept = sequence.ToList();
        Assert.True(await FailsAsync(kept, timeout), "The sequence does not fail on a fresh host.");
        for (var i = kept.Count - 2; i >= 0; i--)
        {
            var without = kept.Where((_, j) => j != i).ToList();
            if (await FailsAsync(without, timeout))
            {
                kept = without;
                log($"dropped input {i}, {kept.Count} left");
            }
        }

        foreach (var input in kept)
        {
            log(InputText.Escape(input, 2000));
        }

        return kept;
    }

    private static async Task<bool> FailsAsync(List<byte[]> sequence, TimeSpan timeout)
    {
        var replay = Task.Run(async () =>
        {
            await using var host = await AwsHost.StartAsync(AwsSeeds.Setup);
            foreach (var input in sequence)
            {
                var request = FuzzRequest.Parse(input);
                ResponseOracle.Check(request, await host.SendAsync(request), host.Errors.Drain());
            }
        });
        try
        {
            await replay.WaitAsync(timeout);
            return false;
        }
        catch (Exception)
        {
            return true;
        }
    }
}
