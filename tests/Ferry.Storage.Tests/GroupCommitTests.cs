using Ferry.Storage.Tests.PowerLoss;

namespace Ferry.Storage.Tests;

/// <summary>
/// A group closed with <c>commitIfSmall</c> (as an event loop closes each pass): a small batch is written, synced and
/// completed on the closing thread; a large one, or one released while another commit is under way, is the flusher's.
/// </summary>
public class GroupCommitTests
{
    /// <summary>An fdatasync this slow makes a commit left to the flusher still pending when the close returns.</summary>
    private static readonly TimeSpan SlowSync = TimeSpan.FromMilliseconds(200);

    private static Journal Open(RecordingJournalDevice device, string mode = "fsync") =>
        Journal.Open(new JournalOptions { Directory = "recording", Durability = Durability.Parse(mode) }, device);

    /// <summary>Appends one record and waits until the flusher has finished with its commit (an awaiter resumes
    /// before the flusher lets go of it).</summary>
    private static async Task AppendAndSettleAsync(Journal journal)
    {
        await journal.AppendAsync(1, 1, [0]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (journal.Committing && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task SmallBatch_IsSyncedAndCompletedOnTheClosingThread_BeforeTheCloseReturns()
    {
        var device = new RecordingJournalDevice { SyncLatency = SlowSync };
        await using var journal = Open(device);
        await AppendAndSettleAsync(journal);
        var syncs = device.Syncs;

        journal.BeginGroup();
        var appends = Enumerable.Range(1, 20).Select(i => journal.AppendAsync(1, 1, TestData.Payload(i, 100)).AsTask()).ToList();
        var completedOn = appends[^1].ContinueWith(
            _ => Environment.CurrentManagedThreadId, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Assert.All(appends, a => Assert.False(a.IsCompleted));
        journal.EndGroup(commitIfSmall: true);

        Assert.All(appends, a => Assert.True(a.IsCompletedSuccessfully));
        Assert.Equal(Environment.CurrentManagedThreadId, await completedOn);
        Assert.Equal(syncs + 1, device.Syncs);
        var stats = journal.GetStats();
        Assert.Equal(stats.Tail, stats.Durable);
        for (var i = 1; i <= 20; i++)
        {
            Assert.Equal(TestData.Payload(i, 100), journal.Read(await appends[i - 1]));
        }
    }

    [Fact]
    public async Task LargeBatch_IsLeftToTheFlusher()
    {
        var device = new RecordingJournalDevice { SyncLatency = SlowSync };
        await using var journal = Open(device);
        await AppendAndSettleAsync(journal);

        journal.BeginGroup();
        var large = journal.AppendAsync(1, 1, new byte[Journal.GroupCommitMaxBytes]).AsTask();
        journal.EndGroup(commitIfSmall: true);

        Assert.False(large.IsCompleted); // the close returned without waiting for the sync
        await large.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SmallBatch_ReleasedWhileTheFlusherSyncs_WaitsForItsTurnOnTheFlusher()
    {
        // Batches are written one after another, each once the one before is synced (recovery relies on it): a close
        // that finds the flusher mid-commit hands its batch over instead of writing beside it.
        var device = new RecordingJournalDevice { SyncLatency = SlowSync };
        await using var journal = Open(device);
        await AppendAndSettleAsync(journal);

        var first = journal.AppendAsync(1, 1, TestData.Payload(1, 100)).AsTask();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (device.Events[^1].Kind != DeviceEventKind.Write && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
        }

        journal.BeginGroup();
        var second = journal.AppendAsync(1, 1, TestData.Payload(2, 100)).AsTask();
        journal.EndGroup(commitIfSmall: true);
        Assert.False(second.IsCompleted);

        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        var tail = device.Events.Where(e => e.Kind is DeviceEventKind.Write or DeviceEventKind.Sync).TakeLast(4).Select(e => e.Kind);
        Assert.Equal([DeviceEventKind.Write, DeviceEventKind.Sync, DeviceEventKind.Write, DeviceEventKind.Sync], tail);
    }

    [Theory]
    [InlineData("interval:5")]
    [InlineData("none")]
    public async Task OtherModes_LeaveEveryBatchToTheFlusher(string mode)
    {
        var device = new RecordingJournalDevice { SyncLatency = SlowSync };
        await using var journal = Open(device, mode);
        journal.BeginGroup();
        var append = journal.AppendAsync(1, 1, TestData.Payload(1, 100)).AsTask();
        var completedOn = append.ContinueWith(
            _ => Environment.CurrentManagedThreadId, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        journal.EndGroup(commitIfSmall: true);

        Assert.NotEqual(Environment.CurrentManagedThreadId, await completedOn.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TwoLoopsAndPlainAppenders_EveryRecordIsDurableAndReadsBack()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(
            new JournalOptions { Directory = dir.Path, Durability = Durability.Fsync, SegmentSize = 256 * 1024 });
        var appended = new List<(int Index, int Length, Task<RecordRef> Append)>[4];

        // Two threads close groups as loops do (each pass a few appends; now and then one larger than a small batch),
        // two tasks append outside any group, all at once: commits on the loops' threads and the flusher's interleave.
        var loops = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            var mine = appended[t] = [];
            for (var pass = 0; pass < 300; pass++)
            {
                journal.BeginGroup();
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    var index = (t * 1_000_000) + mine.Count;
                    var length = random.Next(20) == 0 ? Journal.GroupCommitMaxBytes : random.Next(1, 600);
                    mine.Add((index, length, journal.AppendAsync(1, 1, TestData.Payload(index, length)).AsTask()));
                }

                journal.EndGroup(commitIfSmall: true);
            }
        })).ToList();
        loops.ForEach(l => l.Start());
        var plain = Enumerable.Range(2, 2).Select(t => Task.Run(async () =>
        {
            var mine = appended[t] = [];
            for (var i = 0; i < 300; i++)
            {
                var index = (t * 1_000_000) + i;
                var append = journal.AppendAsync(1, 1, TestData.Payload(index, 200)).AsTask();
                mine.Add((index, 200, append));
                await append;
            }
        })).ToList();
        loops.ForEach(l => l.Join());
        await Task.WhenAll(plain).WaitAsync(TimeSpan.FromSeconds(60));

        var all = appended.SelectMany(a => a).ToList();
        await Task.WhenAll(all.Select(a => a.Append)).WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var (index, length, append) in all)
        {
            Assert.Equal(TestData.Payload(index, length), journal.Read(await append));
        }

        var stats = journal.GetStats();
        Assert.Equal(stats.Tail, stats.Durable);
        Assert.True(stats.Syncs < all.Count, $"{stats.Syncs} syncs for {all.Count} appends");
    }
}
