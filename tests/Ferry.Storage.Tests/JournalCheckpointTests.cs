using System.Buffers.Binary;

namespace Ferry.Storage.Tests;

public class JournalCheckpointTests
{
    private const long SmallSegment = 16 * 1024;

    private static JournalOptions Options(TempDirectory dir, string mode = "fsync") =>
        new() { Directory = dir.Path, Durability = Durability.Parse(mode), SegmentSize = SmallSegment };

    /// <summary>A toy owner: a set of live records keyed by the id in their first four payload bytes.</summary>
    private sealed class Owner : IJournalRecordOwner
    {
        public Dictionary<int, RecordRef> Live { get; } = [];

        public int Relocations { get; private set; }

        public static int Id(in JournalRecord record) => BinaryPrimitives.ReadInt32LittleEndian(record.Payload.Span);

        public bool IsLive(in JournalRecord record) => Live.TryGetValue(Id(record), out var r) && r == record.Ref;

        public bool TryRelocate(in JournalRecord record, RecordRef newRef)
        {
            if (!IsLive(record))
            {
                return false;
            }

            Live[Id(record)] = newRef;
            Relocations++;
            return true;
        }
    }

    /// <summary>Appends <paramref name="count"/> records, keeps every tenth in <paramref name="live"/> and releases
    /// the rest, leaving sparse segments behind.</summary>
    private static async Task FillSparseAsync(Journal journal, int count, Dictionary<int, RecordRef> live)
    {
        for (var i = 0; i < count; i++)
        {
            var r = await journal.AppendAsync(1, 0, Payload(i));
            if (i % 10 == 0)
            {
                live[i] = r;
            }
            else
            {
                journal.Release(r);
            }
        }
    }

    private static byte[] Payload(int id, int size = 1000)
    {
        var bytes = TestData.Payload(id, size);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, id);
        return bytes;
    }

    [Fact]
    public async Task Checkpoint_DeletesSegmentsWithNoLiveRecords_AndKeepsTheRest()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir));
        var refs = new List<RecordRef>();
        for (var i = 0; i < 100; i++)
        {
            refs.Add(await journal.AppendAsync(1, 0, Payload(i)));
        }

        var segmentsBefore = dir.Segments().Length;
        Assert.True(segmentsBefore >= 6);
        // Release everything except records 0 and 99: only the first and the last segment stay.
        foreach (var r in refs.Skip(1).Take(98))
        {
            journal.Release(r);
        }

        var deleted = await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
        Assert.Equal(segmentsBefore - 2, deleted);
        Assert.Equal(2, dir.Segments().Length);
        Assert.Equal(Payload(0), journal.Read(refs[0]));
        Assert.Equal(Payload(99), journal.Read(refs[99]));
    }

    [Fact]
    public async Task Checkpoint_RecordReleasedAfterTheMark_KeepsItsSegmentAndTheJournalReopens()
    {
        // The engine releases records (deleted messages) while a checkpoint is being written. The checkpoint still
        // counts such a record as live, and the owner's snapshot may refer to it: deleting its segment then leaves a
        // checkpoint that points at a missing segment, which the next open refuses.
        using var dir = new TempDirectory();
        var refs = new List<RecordRef>();
        string first;
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            for (var i = 0; i < 40; i++)
            {
                refs.Add(await journal.AppendAsync(1, 0, Payload(i)));
            }

            first = dir.Segments()[0];
            var inFirst = refs.Where(r => r.Position < SmallSegment).ToList();
            foreach (var r in inFirst.Skip(1))
            {
                journal.Release(r);
            }

            var mark = journal.MarkCheckpoint();
            journal.Release(inFirst[0]);
            await journal.WriteCheckpointAsync(mark, ReadOnlyMemory<byte>.Empty);
            Assert.True(File.Exists(first), "the segment the checkpoint counts a live record in was deleted");
        }

        // A crash right after the checkpoint leaves the same files as this close: everything was synced.
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            Assert.Equal(Payload(0), journal.Read(refs[0]));
            journal.Release(refs[0]);
            await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
            Assert.False(File.Exists(first));
        }
    }

    [Fact]
    public async Task Reopen_FromCheckpoint_ReplaysOnlyLaterRecords_AndKeepsLiveCounts()
    {
        using var dir = new TempDirectory();
        RecordRef kept;
        long checkpointPosition;
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            kept = await journal.AppendAsync(1, 0, Payload(0));
            for (var i = 1; i < 50; i++)
            {
                journal.Release(await journal.AppendAsync(1, 0, Payload(i)));
            }

            var mark = journal.MarkCheckpoint();
            checkpointPosition = mark.Position;
            await journal.WriteCheckpointAsync(mark, "state-at-50"u8.ToArray());
            for (var i = 50; i < 60; i++)
            {
                await journal.AppendAsync(1, 0, Payload(i));
            }
        }

        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            Assert.Equal("state-at-50"u8.ToArray(), journal.Checkpoint!.Value.ToArray());
            Assert.Equal(checkpointPosition, journal.ReplayPosition);
            var replayed = journal.ReadFrom(journal.ReplayPosition).Select(r => Owner.Id(r)).ToList();
            Assert.Equal(Enumerable.Range(50, 10), replayed);
            Assert.Equal(Payload(0), journal.Read(kept));
            Assert.Equal(11, journal.GetStats().LiveRecords);
        }
    }

    [Fact]
    public async Task Checkpoint_OfALargeSnapshotInTheMiddleOfItsBuffer_ReopensWithEveryByte_AndItsChecksumCoversThem()
    {
        using var dir = new TempDirectory();
        var buffer = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(buffer);
        var snapshot = buffer.AsMemory(1000, buffer.Length - 2000);
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            await journal.AppendAsync(1, 0, Payload(0));
            await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), snapshot);
        }

        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            Assert.True(journal.Checkpoint!.Value.Span.SequenceEqual(snapshot.Span));
        }

        // One byte changed in the middle of the snapshot: the checksum, taken over the parts written separately,
        // must see it.
        var path = Path.Combine(dir.Path, "checkpoint");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);
        await Assert.ThrowsAsync<JournalCorruptException>(async () => await Journal.OpenAsync(Options(dir)));
    }

    [Fact]
    public async Task Compact_SparseSegments_MovesLiveRecordsAndTheNextCheckpointDeletesThem()
    {
        using var dir = new TempDirectory();
        var owner = new Owner();
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            await FillSparseAsync(journal, 200, owner.Live);

            await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
            var before = dir.Segments().Length;
            var moved = await journal.CompactAsync(owner, maxLiveFraction: 0.5);
            Assert.True(moved >= 15, $"moved {moved}");
            Assert.Equal(moved, owner.Relocations);
            await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
            Assert.True(dir.Segments().Length < before / 3, $"{dir.Segments().Length} segments left of {before}");
            foreach (var (id, r) in owner.Live)
            {
                Assert.Equal(Payload(id), journal.Read(r));
            }

            Assert.Equal(owner.Live.Count, journal.GetStats().LiveRecords);
        }

        // After a restart every live record is still readable where the owner last put it.
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            foreach (var (id, r) in owner.Live)
            {
                Assert.Equal(Payload(id), journal.Read(r));
            }
        }
    }

    [Fact]
    public async Task Compact_GoesOnOffTheFlusher()
    {
        // A copy's durability completes on the journal's flusher; what follows compaction (reading the next chunk, the
        // owner's checkpoint) must not run there, or every durable write would wait for it.
        using var dir = new TempDirectory();
        var owner = new Owner();
        await using var journal = await Journal.OpenAsync(Options(dir));
        await FillSparseAsync(journal, 100, owner.Live);

        await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
        var (moved, thread) = await CompactAndNameTheThread(journal, owner);
        Assert.True(moved > 0);
        Assert.NotEqual("ferry-journal-flush", thread);

        static async Task<(long Moved, string? Thread)> CompactAndNameTheThread(Journal journal, Owner owner)
        {
            var moved = await journal.CompactAsync(owner).ConfigureAwait(false);
            return (moved, Thread.CurrentThread.Name);
        }
    }

    [Fact]
    public async Task Compact_CrashBeforeTheNextCheckpoint_ReplaysRelocatedCopies()
    {
        using var dir = new TempDirectory();
        var owner = new Owner();
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            await FillSparseAsync(journal, 100, owner.Live);

            await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
            Assert.True(await journal.CompactAsync(owner) > 0);
        }

        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            var relocated = journal.ReadFrom(journal.ReplayPosition).Where(r => r.IsRelocated).Select(r => Owner.Id(r)).ToList();
            Assert.NotEmpty(relocated);
            Assert.All(relocated, id => Assert.Equal(0, id % 10));
        }
    }

    [Fact]
    public async Task Compact_RecordReleasedDuringCompaction_ReleasesTheCopy()
    {
        using var dir = new TempDirectory();
        var owner = new RacingOwner();
        await using var journal = await Journal.OpenAsync(Options(dir));
        await FillSparseAsync(journal, 100, owner.Live);

        await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty);
        owner.Journal = journal;
        var liveBefore = owner.Live.Count;
        Assert.True(await journal.CompactAsync(owner) > 0);
        // Records released mid-compaction leave neither original nor copy live; the current segment is untouched.
        Assert.True(owner.Live.Count < liveBefore);
        Assert.Equal(owner.Live.Count, journal.GetStats().LiveRecords);
    }

    /// <summary>Releases every record right after the journal asks whether it is live, as a concurrent delete would.</summary>
    private sealed class RacingOwner : IJournalRecordOwner
    {
        public Dictionary<int, RecordRef> Live { get; } = [];

        public Journal? Journal { get; set; }

        public bool IsLive(in JournalRecord record)
        {
            var live = Live.Remove(Owner.Id(record), out var r) && r == record.Ref;
            if (live)
            {
                Journal!.Release(r);
            }

            return live;
        }

        public bool TryRelocate(in JournalRecord record, RecordRef newRef) => false;
    }

    [Fact]
    public async Task MemoryMode_CheckpointAndReclaim_Work()
    {
        using var dir = new TempDirectory();
        await using var journal = await Journal.OpenAsync(Options(dir, "memory"));
        for (var i = 0; i < 100; i++)
        {
            journal.Release(await journal.AppendAsync(1, 0, Payload(i)));
        }

        Assert.True(await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), ReadOnlyMemory<byte>.Empty) > 0);
        Assert.Empty(dir.Segments());
    }
}
