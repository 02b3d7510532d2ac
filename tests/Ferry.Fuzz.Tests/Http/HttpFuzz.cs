using Ferry.Fuzz.Tests.Fuzzing;
using Ferry.Fuzz.Tests.Seeds;

namespace Ferry.Fuzz.Tests.Http;

/// <summary>
/// Fuzzes one AWS face through <see cref="AwsHost"/>: each input is a whole request, judged by <see cref="ResponseOracle"/>.
/// The host keeps its state from input to input, so a failure may depend on what earlier inputs created: with each
/// failing input, the inputs the host had accepted since it started are saved as a sequence (<c>*.seq</c>).
/// </summary>
internal static class HttpFuzz
{
    /// <summary>A fresh host after this many inputs, so that state from earlier inputs (queues, messages, streams)
    /// stays small in a long run.</summary>
    private const int RecycleEvery = 5000;

    public static async Task RunAsync(FuzzTarget target, Action<string> log)
    {
        foreach (var (name, inputs) in Regressions.LoadSequences(target.Name))
        {
            await using var fresh = await AwsHost.StartAsync(AwsSeeds.Setup);
            foreach (var input in inputs)
            {
                var request = FuzzRequest.Parse(input);
                try
                {
                    // On a thread of its own and bounded: a request that hangs may never hand back its task.
                    var response = await Task.Run(() => fresh.SendAsync(request)).WaitAsync(target.Limits.Timeout);
                    ResponseOracle.Check(request, response, fresh.Errors.Drain());
                }
                catch (Exception e) when (e is OracleException or TimeoutException)
                {
                    Assert.Fail($"regression sequence {name}: {e.Message}\n  input: {InputText.Escape(input)}");
                }
            }
        }

        var host = await AwsHost.StartAsync(AwsSeeds.Setup);
        var accepted = new List<byte[]>();
        try
        {
            var (live, made) = await LiveSeeds.ForAsync(target.Name, host);
            target = target with { Seeds = [.. target.Seeds, .. live] };
            accepted.AddRange(made);
            host.Errors.Drain();
            await FuzzRunner.RunAsync(target, async input =>
            {
                var request = FuzzRequest.Parse(input);
                if (request.RefusedByKestrel)
                {
                    return "refused by Kestrel";
                }

                FuzzResponse response;
                byte[][] sequence = [.. accepted, input];
                // A request that hangs (even synchronously, never returning its task) is saved with its sequence too.
                await using var watchdog = new Timer(_ => Regressions.SaveSequence(target.Name, sequence), null, target.Limits.Timeout * 0.8, Timeout.InfiniteTimeSpan);
                try
                {
                    response = await host!.SendAsync(request);
                    var signature = ResponseOracle.Check(request, response, host.Errors.Drain());
                    if (response.Status == 200)
                    {
                        accepted.Add(input);
                    }

                    return new FuzzOutcome(signature, response.Body.Length);
                }
                catch (Exception e)
                {
                    var saved = Regressions.SaveSequence(target.Name, sequence);
                    throw new OracleException($"{(e is OracleException ? e.Message : e.ToString())}\n  after {accepted.Count} accepted inputs, saved with it as {saved}");
                }
            }, log, async () =>
            {
                if (accepted.Count >= RecycleEvery)
                {
                    await host.DisposeAsync();
                    host = await AwsHost.StartAsync(AwsSeeds.Setup);
                    accepted.Clear();
                }

                host.Errors.Drain();
            });
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Sends one request to a fresh host and returns its answer, having checked it with the oracle.</summary>
    public static async Task<FuzzResponse> SendAsync(byte[] input)
    {
        await using var host = await AwsHost.StartAsync(AwsSeeds.Setup);
        var request = FuzzRequest.Parse(input);
        var response = await host.SendAsync(request);
        ResponseOracle.Check(request, response, host.Errors.Drain());
        return response;
    }
}
