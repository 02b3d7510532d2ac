namespace Ferry.Storage.Tests;

public class JournalAppendTests
{
    public static TheoryData<string> Modes => ["fsync", "interval:5", "none", "memory"];

    private static JournalOptions Options(TempDirectory dir, string mode, long segmentSize = JournalOptions.DefaultSegmentSize) =>
        new() { Directory = dir.Path, Durability = Durability.Parse(mode), SegmentSize = segmentSize };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task AppendAsync_ManyConcurrentAppenders_AllRecordsReadBackIntact(string mode)
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, mode, segmentSize: 256 * 1024));
        const int tasks = 64, perTask = 50;
        var refs = new RecordRef[tasks * perTask];
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < perTask; i++)
            {
                var index = (t * perTask) + i;
                refs[index] = await journal.AppendAsync(1, (ulong)t, TestData.Payload(index, 1 + (index % 2000)));
            }
        })));

        Assert.Equal(tasks * perTask, refs.Select(r => r.Position).Distinct().Count());
        for (var i = 0; i < refs.Length; i++)
        {
            Assert.Equal(TestData.Payload(i, 1 + (i % 2000)), journal.Read(refs[i]));
        }

        var stats = journal.GetStats();
        Assert.Equal(tasks * perTask, stats.LiveRecords);
        Assert.True(stats.Segments > 1, "256 KiB segments must have rolled over");
        Assert.Equal(stats.Tail, stats.Durable);
    }

    [Fact]
    public async Task Group_AppendsWhileOneIsOpen_WaitForItsCloseAndShareOneSync()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "fsync"));
        await journal.AppendAsync(1, 1, TestData.Payload(0, 10));
        var before = journal.GetStats();

        journal.BeginGroup();
        journal.BeginGroup();
        var appends = Enumerable.Range(1, 20).Select(i => journal.AppendAsync(1, 1, TestData.Payload(i, 100)).AsTask()).ToList();
        await Task.Delay(200);
        Assert.All(appends, a => Assert.False(a.IsCompleted));
        journal.EndGroup();
        await Task.Delay(100);
        Assert.All(appends, a => Assert.False(a.IsCompleted)); // groups nest: the last one to close releases the flusher

        journal.EndGroup();
        await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(10));
        var after = journal.GetStats();
        Assert.Equal(1, after.Syncs - before.Syncs);
        Assert.Equal(after.Tail, after.Durable);
    }

    [Fact]
    public async Task Group_ClosedWithAppendsWaiting_ReleasesThemEvenIfTheNextOneOpensAtOnce()
    {
        // An event loop under constant load closes one group and opens the next straight away: the appends of the
        // closed one must not wait for the next one too (or for ever, under load that never pauses).
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "fsync"));
        for (var round = 0; round < 20; round++)
        {
            journal.BeginGroup();
            var append = journal.AppendAsync(1, 1, TestData.Payload(round, 100)).AsTask();
            journal.EndGroup();
            journal.BeginGroup();
            try
            {
                await append.WaitAsync(TimeSpan.FromSeconds(5));
            }
            finally
            {
                journal.EndGroup();
            }
        }
    }

    [Theory]
    [InlineData("fsync")]
    [InlineData("interval:5")]
    [InlineData("none")]
    public async Task Reopen_AfterDispose_ReplaysEveryRecordInOrder(string mode)
    {
        using var dir = new TempDirectory();
        var expected = new List<(RecordRef Ref, ushort Type, ulong Resource)>();
        await using (var journal = await Journal.OpenAsync(Options(dir, mode, segmentSize: 64 * 1024)))
        {
            for (var i = 0; i < 500; i++)
            {
                var r = await journal.AppendAsync((ushort)(1 + (i % 3)), (ulong)i * 7, TestData.Payload(i, i % 700));
                expected.Add((r, (ushort)(1 + (i % 3)), (ulong)i * 7));
            }
        }

        await using (var journal = await Journal.OpenAsync(Options(dir, mode, segmentSize: 64 * 1024)))
        {
            Assert.Equal(0, journal.ReplayPosition);
            Assert.Null(journal.Checkpoint);
            var i = 0;
            foreach (var record in journal.ReadFrom(journal.ReplayPosition))
            {
                Assert.Equal(expected[i].Ref, record.Ref);
                Assert.Equal(expected[i].Type, record.Type);
                Assert.Equal(expected[i].Resource, record.ResourceId);
                Assert.False(record.IsRelocated);
                Assert.Equal(TestData.Payload(i, i % 700), record.Payload.ToArray());
                i++;
            }

            Assert.Equal(500, i);
            Assert.Equal(500, journal.GetStats().LiveRecords);

            // Appends continue after the recovered tail.
            var next = await journal.AppendAsync(1, 1, [1, 2, 3]);
            Assert.True(next.Position > expected[^1].Ref.Position);
            Assert.Equal([1, 2, 3], journal.Read(next));
        }
    }

    [Fact]
    public async Task FsyncMode_GroupCommit_UsesFewerSyncsThanAppends()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "fsync"));
        await Task.WhenAll(Enumerable.Range(0, 256).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await journal.AppendAsync(1, 0, TestData.Payload(i, 1024));
            }
        })));
        var stats = journal.GetStats();
        Assert.Equal(256 * 20, stats.Appends);
        Assert.True(stats.Syncs < stats.Appends / 2, $"expected batching: {stats.Syncs} syncs for {stats.Appends} appends");
    }

    [Fact]
    public async Task AppendAsync_InvalidArguments_Throw()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "memory", segmentSize: 64 * 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = journal.AppendAsync(0, 0, [1]); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = journal.AppendAsync(1, 0, new byte[64 * 1024]); });
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ThrowsUnavailable()
    {
        using var dir = new TempDirectory();
        var journal = await Journal.OpenAsync(Options(dir, "fsync"));
        await journal.DisposeAsync();
        Assert.Throws<JournalUnavailableException>(() => { _ = journal.AppendAsync(1, 0, [1]); });
    }

    [Fact]
    public async Task AppendAsync_WithWriter_StoresWhatTheWriterProduced()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "fsync"));
        var r = await journal.AppendAsync(2, 9, 5, (byte)7, static (span, b) => span.Fill(b));
        Assert.Equal(new byte[] { 7, 7, 7, 7, 7 }, journal.Read(r));
    }

    [Fact]
    public async Task FlushAsync_InNoneMode_CompletesAfterSync()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "none"));
        await journal.AppendAsync(1, 0, [1]);
        var before = journal.GetStats().Syncs;
        await journal.FlushAsync();
        Assert.True(journal.GetStats().Syncs > before);
    }

    [Fact]
    public async Task IntervalMode_WritesLeftUnsynced_AreSyncedOnceTheIntervalPasses()
    {
        // Appends within one interval are written and acknowledged unsynced; once the interval has passed the flusher
        // must sync them even though nothing more is appended (a mode that promises "at most N ms of loss").
        var device = new Tests.PowerLoss.RecordingJournalDevice();
        await using var journal = Journal.Open(
            new JournalOptions { Directory = "recording", Durability = Durability.Parse("interval:50") }, device);
        for (var i = 0; i < 3; i++)
        {
            await journal.AppendAsync(1, 0, [(byte)i]);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!SyncedAfterLastWrite(device.Events) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(SyncedAfterLastWrite(device.Events), "the last writes were never synced while the journal stayed open");

        static bool SyncedAfterLastWrite(IReadOnlyList<Tests.PowerLoss.DeviceEvent> events)
        {
            var lastWrite = events.ToList().FindLastIndex(e => e.Kind == Tests.PowerLoss.DeviceEventKind.Write);
            return events.Skip(lastWrite + 1).Any(e => e.Kind == Tests.PowerLoss.DeviceEventKind.Sync);
        }
    }

    [Fact]
    public async Task Read_ReleasedAndReclaimedRecord_Throws()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "fsync", segmentSize: 8192));
        var first = await journal.AppendAsync(1, 0, new byte[4000]);
        for (var i = 0; i < 6; i++)
        {
            journal.Release(await journal.AppendAsync(1, 0, new byte[4000]));
        }

        journal.Release(first);
        Assert.Throws<InvalidOperationException>(() => journal.Release(first));
        var deleted = await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
        Assert.True(deleted > 0);
        Assert.Throws<JournalException>(() => journal.Read(first));
    }
}
