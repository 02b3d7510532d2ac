namespace Ferry.Engine.Tests;

/// <summary>The broker's maintenance loop: it keeps running through a round that fails.</summary>
public class MaintenanceTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    /// <summary>Advances the clock by the maintenance interval until <paramref name="condition"/> holds (each advance
    /// fires the loop's pending delay, if it is waiting).</summary>
    private static async Task AdvanceUntilAsync(EngineFixture f, Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "maintenance did not get there in time");
            f.Clock.Advance(f.Broker.Options.MaintenanceInterval);
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Loop_OutlivesAFailedCheckpoint_AndCheckpointsOnceItCan()
    {
        var options = new BrokerOptions { MaintenanceInterval = TimeSpan.FromSeconds(5), CheckpointInterval = TimeSpan.FromSeconds(10) };
        await using var f = await EngineFixture.StartAsync(options, maintenance: true);
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        await q.SendAsync(EngineFixture.Message("before"));
        var start = f.Broker.LastCheckpointTail;

        // The checkpoint cannot be written (as on a full disk): a directory stands where its temporary file goes.
        var blocker = Path.Combine(f.Directory, "checkpoint.tmp");
        Directory.CreateDirectory(blocker);
        await AdvanceUntilAsync(f, () => f.Broker.MaintenanceFailures > 0);
        Assert.Equal(start, f.Broker.LastCheckpointTail);
        Assert.Contains("checkpoint.tmp", f.Broker.LastMaintenanceFailure, StringComparison.Ordinal);

        // Once it can be written, a later round takes it.
        Directory.Delete(blocker);
        await q.SendAsync(EngineFixture.Message("after"));
        await AdvanceUntilAsync(f, () => f.Broker.LastCheckpointTail > start);

        await f.RestartAsync();
        Assert.Equal(2, f.Broker.FindQueue("q")!.GetCounts().Visible);
    }
}
