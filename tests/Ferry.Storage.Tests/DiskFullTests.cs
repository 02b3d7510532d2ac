using Ferry.Storage.Internal;

namespace Ferry.Storage.Tests;

/// <summary>
/// A full disk: the journal allocates each next segment ahead of time, so it never meets a full disk after accepting
/// an append; when the allocation fails it reports <see cref="Journal.IsFull"/> before the current segment runs out,
/// keeps what it acknowledged, and recovers by itself once space returns.
/// </summary>
public class DiskFullTests
{
    private const int SegmentSize = 64 * 1024;

    private static JournalOptions Options() =>
        new() { Directory = "space-limited", Durability = Durability.Parse("fsync"), SegmentSize = SegmentSize };

    [Fact]
    public async Task FullDisk_IsReportedBeforeTheSegmentRunsOut_AndClearsWhenSpaceReturns()
    {
        var device = new SpaceLimitedDevice();
        var journal = Journal.Open(Options(), device);
        var acknowledged = new List<(RecordRef Ref, byte[] Payload)>();
        var i = 0;

        async Task AppendAsync()
        {
            var payload = TestData.Payload(i, 1000);
            acknowledged.Add((await journal.AppendAsync(1, 1, payload), payload));
            i++;
        }

        // Room at first: appends fill two segments and the spare is always ready again.
        while (journal.GetStats().Segments < 2)
        {
            await AppendAsync();
        }

        await WaitUntilAsync(() => device.HasSpare);
        Assert.False(journal.IsFull);

        // The disk fills up: the next segment takes the spare, and no new spare can be allocated.
        device.NoRoom = true;
        while (!journal.IsFull)
        {
            await AppendAsync();
            Assert.True(i < 10_000, "the journal never reported the full disk");
        }

        Assert.True(journal.GetStats().Segments >= 3);
        Assert.False(device.HasSpare);

        // Work under way when the gate closed still fits in the reserve.
        for (var k = 0; k < 10; k++)
        {
            await AppendAsync();
        }

        Assert.True(journal.IsFull);
        Assert.Equal(journal.GetStats().Tail, journal.GetStats().Durable);

        // Space returns: the flusher allocates the spare within a second or so, by itself.
        device.NoRoom = false;
        await WaitUntilAsync(() => !journal.IsFull);
        for (var k = 0; k < 200; k++)
        {
            await AppendAsync();
        }

        await journal.DisposeAsync();
        var reopened = Journal.Open(Options(), device.Reopen());
        foreach (var (reference, payload) in acknowledged)
        {
            Assert.Equal(payload, reopened.Read(reference));
        }

        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task StartingOnAFullDisk_IsFullUntilTheSpareFits()
    {
        var device = new SpaceLimitedDevice { NoRoom = true };
        await using var journal = Journal.Open(Options(), device);
        await WaitUntilAsync(() => journal.IsFull);
        device.NoRoom = false;
        await WaitUntilAsync(() => !journal.IsFull);
        var payload = TestData.Payload(1, 100);
        Assert.Equal(payload, journal.Read(await journal.AppendAsync(1, 1, payload)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    /// <summary>Segments in memory on a disk that can be full: without room, no spare and no new segment file.</summary>
    private sealed class SpaceLimitedDevice(MemoryJournalDevice? inner = null) : IJournalDevice
    {
        private readonly MemoryJournalDevice _inner = inner ?? new MemoryJournalDevice();
        private volatile bool _spare;

        public volatile bool NoRoom;

        public string Location => "space-limited";

        public string CheckpointName => _inner.CheckpointName;

        public bool HasSpare => _spare;

        public bool PrepareSpare()
        {
            if (NoRoom && !_spare)
            {
                return false;
            }

            _spare = true;
            return true;
        }

        public ISegmentFile CreateSegment(long basePosition)
        {
            if (!_spare && NoRoom)
            {
                throw new IOException("No space left on device");
            }

            _spare = false;
            return _inner.CreateSegment(basePosition);
        }

        public IReadOnlyList<long> ListSegments() => _inner.ListSegments();

        public ISegmentFile OpenSegment(long basePosition) => _inner.OpenSegment(basePosition);

        public void DeleteSegment(long basePosition) => _inner.DeleteSegment(basePosition);

        public string SegmentName(long basePosition) => _inner.SegmentName(basePosition);

        public byte[]? ReadCheckpoint() => _inner.ReadCheckpoint();

        public void WriteCheckpoint(IReadOnlyList<ReadOnlyMemory<byte>> parts) => _inner.WriteCheckpoint(parts);

        /// <summary>The same segments, for the journal opened again after a stop.</summary>
        public SpaceLimitedDevice Reopen() => new(_inner);

        public void Dispose()
        {
        }
    }
}
