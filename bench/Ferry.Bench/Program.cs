using Ferry.Bench.Scenarios;

namespace Ferry.Bench;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == EmptyHttpServer.ServeVerb)
        {
            return await EmptyHttpServer.ServeAsync();
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await BenchRunner.RunAsync(args, Console.Out, Console.Error, cancel.Token);
    }
}
