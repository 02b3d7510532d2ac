using System.Diagnostics;
using Ferry.Torture.Clients;
using Ferry.Torture.Loads;

namespace Ferry.Torture;

/// <summary>
/// Starts Ferry (fsync durability, a fresh data directory), drives every load at once, SIGKILLs the server at random
/// moments and restarts it on the same directory, then checks the server against the loads' ledgers.
/// </summary>
internal static class TortureRun
{
    /// <summary>Bounds the final verification; the drains wait out visibility timeouts of a few seconds.</summary>
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromMinutes(2);

    public static async Task<TortureReport> RunAsync(TortureOptions options, Action<string> log)
    {
        var report = new TortureReport();
        var clock = Stopwatch.StartNew();
        var dll = options.ResolveServerDll();
        if (!File.Exists(dll))
        {
            report.Violation("the server is not built", dll);
            return report;
        }

        var temporary = options.DataDirectory is null ? Path.Combine(Path.GetTempPath(), "ferry-torture-" + Guid.NewGuid().ToString("N")) : null;
        var data = options.DataDirectory ?? Path.Combine(temporary!, "data");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(data))!);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 64,
        })
        {
            // A request to a live server that takes this long means it hung: reported as a failure while up.
            Timeout = TimeSpan.FromSeconds(30),
        };

        var aws = new AwsJsonClient(http);
        ITortureLoad[] loads =
        [
            new SqsStandardLoad(aws, report, options.Seed * 1000),
            new SqsFifoLoad(aws, report, options.Seed * 1000),
            new SnsFanoutLoad(aws, http, report, options.Seed * 1000),
            new KinesisLoad(aws, report, options.Seed * 1000),
            new RedisStreamLoad(report, options.Seed * 1000),
        ];
        var random = new Random(options.Seed);
        var link = new ServerLink();
        log($"Ferry torture: {options.Kills} kills, seed {options.Seed}, checkpoints every {options.CheckpointIntervalMs} ms, server {dll}, data {Path.GetFullPath(data)}");

        FerryServer? server = null;
        try
        {
            server = await FerryServer.StartAsync(dll, data, options.CheckpointIntervalMs, http);
            var endpoints = new ServerLink.Endpoints(0, server.Http, server.RedisPort);
            using (var setUp = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                foreach (var load in loads)
                {
                    await load.SetUpAsync(endpoints, setUp.Token);
                }
            }

            link.Up(endpoints);
            using var stop = new CancellationTokenSource();
            var running = loads.Select(l => l.RunAsync(link, stop.Token)).ToArray();
            for (var kill = 1; kill <= options.Kills; kill++)
            {
                var uptime = options.MinUptime + ((options.MaxUptime - options.MinUptime) * random.NextDouble());
                await Task.Delay(uptime);

                // Down first: a request failing from now on was in flight at the kill.
                link.Down();
                server.Kill();
                server.Dispose();
                server = null;
                var restart = Stopwatch.StartNew();
                try
                {
                    server = await FerryServer.StartAsync(dll, data, options.CheckpointIntervalMs, http);
                }
                catch (InvalidOperationException ex)
                {
                    report.Violation("the server did not start again after a kill", ex.Message);
                    break;
                }

                endpoints = new ServerLink.Endpoints(kill, server.Http, server.RedisPort);
                link.Up(endpoints);
                report.KillsSurvived = kill;
                log($"kill {kill}/{options.Kills} after {uptime.TotalMilliseconds:F0} ms of load; up again in {restart.ElapsedMilliseconds} ms");
            }

            if (server is not null)
            {
                // A last stretch of load after the last restart, then the workers stop and everything is checked.
                await Task.Delay(options.MaxUptime);
            }

            await stop.CancelAsync();
            await Task.WhenAll(running);
            if (server is not null)
            {
                using var verify = new CancellationTokenSource(VerifyTimeout);
                foreach (var load in loads)
                {
                    log($"verifying {load.Name}");
                    await load.VerifyAsync(endpoints, verify.Token);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException || AwsJsonClient.IsTransportFailure(ex) || ex is AwsErrorException)
        {
            report.Violation("the run could not complete", $"{ex.GetType().Name}: {ex.Message}{Environment.NewLine}{server?.Output}");
        }
        finally
        {
            server?.Kill();
            server?.Dispose();
        }

        report.Elapsed = clock.Elapsed;
        if (report.Passed && temporary is not null)
        {
            Directory.Delete(temporary, recursive: true);
        }
        else
        {
            log($"data kept in {Path.GetFullPath(data)}");
        }

        return report;
    }
}
