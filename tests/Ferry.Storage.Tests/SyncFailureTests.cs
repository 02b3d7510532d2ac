using Ferry.Storage.Internal;

namespace Ferry.Storage.Tests;

/// <summary>A failed fdatasync stops the journal, as designed: nothing it could not make durable is acknowledged,
/// every later append is refused, and the owner is told once (the server then stops the process).</summary>
public class SyncFailureTests
{
    [Fact]
    public async Task FailedSync_FailsTheWaitingAppends_RefusesLaterOnes_AndReportsOnce()
    {
        var device = new FailingSyncDevice();
        var fatal = new List<Exception>();
        var journal = Journal.Open(new JournalOptions
        {
            Directory = "failing-sync",
            Durability = Durability.Parse("fsync"),
            SegmentSize = 64 * 1024,
            OnFatal = e =>
            {
                lock (fatal)
                {
                    fatal.Add(e);
                }
            },
        }, device);

        var acknowledged = new List<(RecordRef Ref, byte[] Payload)>();
        for (var i = 0; i < 20; i++)
        {
            var payload = TestData.Payload(i, 100);
            acknowledged.Add((await journal.AppendAsync(1, 1, payload), payload));
        }

        device.FailSyncs = true;
        // The first append meets the failed fdatasync; the ones after it may be refused before they are framed.
        var failing = Enumerable.Range(0, 8).Select(i => Task.Run(async () => await journal.AppendAsync(1, 1, TestData.Payload(100 + i, 100)))).ToList();
        foreach (var append in failing)
        {
            var error = await Assert.ThrowsAsync<JournalUnavailableException>(() => append);
            Assert.Contains("Input/output error", error.Message, StringComparison.Ordinal);
        }

        Assert.Throws<JournalUnavailableException>(() => journal.AppendAsync(1, 1, TestData.Payload(200, 10)));
        Assert.Single(fatal);

        // What was acknowledged before the failure is intact for the next start.
        await journal.DisposeAsync();
        device.FailSyncs = false;
        var reopened = Journal.Open(new JournalOptions { Directory = "failing-sync", Durability = Durability.Parse("fsync"), SegmentSize = 64 * 1024 }, device.Reopen());
        foreach (var (reference, payload) in acknowledged)
        {
            Assert.Equal(payload, reopened.Read(reference));
        }

        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task FailedSync_AnAppenderThatClosesTheJournalOnTheFailure_DoesNotWaitForever()
    {
        // Appenders' continuations run on the thread that completes them. Closing the journal waits for its flusher
        // to exit, so a failure's continuations must not run on the flusher: there this one would wait for itself.
        var device = new FailingSyncDevice();
        var journal = Journal.Open(new JournalOptions { Directory = "failing-sync", Durability = Durability.Parse("fsync"), SegmentSize = 64 * 1024 }, device);
        await journal.AppendAsync(1, 1, TestData.Payload(1, 100));

        device.FailSyncs = true;
        var closed = Task.Run(async () =>
        {
            try
            {
                await journal.AppendAsync(1, 1, TestData.Payload(2, 100));
            }
            catch (JournalUnavailableException)
            {
                // Synchronously, on whatever thread ran this continuation.
                journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
                return true;
            }

            return false;
        });

        Assert.Same(closed, await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.True(await closed);
    }

    /// <summary>Segments in memory whose fdatasync fails with EIO once told to.</summary>
    private sealed class FailingSyncDevice(MemoryJournalDevice? inner = null) : IJournalDevice
    {
        private readonly MemoryJournalDevice _inner = inner ?? new MemoryJournalDevice();

        public volatile bool FailSyncs;

        public string Location => "failing-sync";

        public string CheckpointName => _inner.CheckpointName;

        public bool HasSpare => true;

        public bool PrepareSpare() => true;

        public ISegmentFile CreateSegment(long basePosition) => new Segment(this, _inner.CreateSegment(basePosition));

        public ISegmentFile OpenSegment(long basePosition) => new Segment(this, _inner.OpenSegment(basePosition));

        public IReadOnlyList<long> ListSegments() => _inner.ListSegments();

        public void DeleteSegment(long basePosition) => _inner.DeleteSegment(basePosition);

        public string SegmentName(long basePosition) => _inner.SegmentName(basePosition);

        public byte[]? ReadCheckpoint() => _inner.ReadCheckpoint();

        public void WriteCheckpoint(IReadOnlyList<ReadOnlyMemory<byte>> parts) => _inner.WriteCheckpoint(parts);

        public FailingSyncDevice Reopen() => new(_inner);

        public void Dispose()
        {
        }

        private sealed class Segment(FailingSyncDevice owner, ISegmentFile inner) : ISegmentFile
        {
            public long Length => inner.Length;

            public void Write(long offset, ReadOnlySpan<byte> data) => inner.Write(offset, data);

            public int Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

            public void Sync()
            {
                if (owner.FailSyncs)
                {
                    throw new IOException("Input/output error");
                }

                inner.Sync();
            }

            public void Truncate(long length) => inner.Truncate(length);

            public void Dispose()
            {
            }
        }
    }
}
