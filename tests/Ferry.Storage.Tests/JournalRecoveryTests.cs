using System.Buffers.Binary;

namespace Ferry.Storage.Tests;

public class JournalRecoveryTests
{
    private const long SmallSegment = 64 * 1024;

    private static JournalOptions Options(TempDirectory dir, long segmentSize = SmallSegment) =>
        new() { Directory = dir.Path, Durability = Durability.Fsync, SegmentSize = segmentSize };

    private static async Task<List<RecordRef>> WriteAsync(TempDirectory dir, int count, int size, long segmentSize = SmallSegment)
    {
        var refs = new List<RecordRef>();
        await using var journal = await Journal.OpenAsync(Options(dir, segmentSize));
        for (var i = 0; i < count; i++)
        {
            refs.Add(await journal.AppendAsync(1, (ulong)i, TestData.Payload(i, size)));
        }

        return refs;
    }

    private static async Task<List<int>> ReplayIndexesAsync(TempDirectory dir, int size)
    {
        await using var journal = await Journal.OpenAsync(Options(dir));
        var seen = new List<int>();
        foreach (var record in journal.ReadFrom(journal.ReplayPosition))
        {
            var index = (int)record.ResourceId;
            Assert.Equal(TestData.Payload(index, size), record.Payload.ToArray());
            seen.Add(index);
        }

        return seen;
    }

    [Fact]
    public async Task Open_TruncatedAtEveryByteOfTheLastRecord_RecoversExactlyTheCompleteRecords()
    {
        using var dir = new TempDirectory();
        const int size = 100;
        var refs = await WriteAsync(dir, 5, size);
        var segment = dir.Segments().Single();
        var original = await File.ReadAllBytesAsync(segment);
        var lastStart = refs[^1].Position;

        var payloadEnd = lastStart + 32 + size;
        for (var cut = lastStart; cut < original.Length; cut++)
        {
            await File.WriteAllBytesAsync(segment, original.AsSpan(0, (int)cut).ToArray());
            if (cut < payloadEnd)
            {
                Assert.Equal([0, 1, 2, 3], await ReplayIndexesAsync(dir, size));
                Assert.Equal(lastStart, new FileInfo(segment).Length);
            }
            else
            {
                // Only alignment padding is missing: the record itself is complete.
                Assert.Equal([0, 1, 2, 3, 4], await ReplayIndexesAsync(dir, size));
            }
        }

        await File.WriteAllBytesAsync(segment, original);
        Assert.Equal([0, 1, 2, 3, 4], await ReplayIndexesAsync(dir, size));
    }

    [Fact]
    public async Task Open_ZeroFilledTail_IsKeptAndAppendsGoInFrontOfIt()
    {
        // Zeros after the last record are what a zero-filled spare leaves (or a write the disk lost as zeros): they
        // are no record, stay (with the space they hold), and appends write over them.
        using var dir = new TempDirectory();
        await WriteAsync(dir, 3, 50);
        var segment = dir.Segments().Single();
        var length = new FileInfo(segment).Length;
        await using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write(new byte[10_000]);
        }

        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            Assert.Equal(3, journal.ReadFrom(0).Count());
            Assert.Equal(length + 10_000, new FileInfo(segment).Length);
            Assert.Equal(length, journal.GetStats().Tail);
            await journal.AppendAsync(1, 3, TestData.Payload(3, 50));
        }

        Assert.Equal([0, 1, 2, 3], await ReplayIndexesAsync(dir, 50));
    }

    [Fact]
    public async Task Open_FlippedBitInTheMiddleOfTheLastSegment_RefusesNamingFileAndOffset()
    {
        using var dir = new TempDirectory();
        var refs = await WriteAsync(dir, 10, 200);
        var segment = dir.Segments().Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        var victim = refs[4].Position;
        bytes[victim + 40] ^= 0x10;
        await File.WriteAllBytesAsync(segment, bytes);

        var ex = await Assert.ThrowsAsync<JournalCorruptException>(async () => await Journal.OpenAsync(Options(dir)));
        Assert.Equal(segment, ex.File);
        Assert.Equal(victim, ex.Offset);
        Assert.Contains(segment, ex.Message, StringComparison.Ordinal);
        Assert.Contains(victim.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(segment));
    }

    [Fact]
    public async Task Open_FlippedBitInASealedSegment_Refuses()
    {
        using var dir = new TempDirectory();
        await WriteAsync(dir, 200, 1000);
        var first = dir.Segments()[0];
        Assert.True(dir.Segments().Length > 2);
        var bytes = await File.ReadAllBytesAsync(first);
        bytes[^10] ^= 1;
        await File.WriteAllBytesAsync(first, bytes);

        var ex = await Assert.ThrowsAsync<JournalCorruptException>(async () => await Journal.OpenAsync(Options(dir)));
        Assert.Equal(first, ex.File);
    }

    [Fact]
    public async Task Open_DamagedLastRecordOfTheFinalBatch_IsATornTail()
    {
        using var dir = new TempDirectory();
        var refs = await WriteAsync(dir, 3, 64);
        var segment = dir.Segments().Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[refs[^1].Position + 35] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);
        Assert.Equal([0, 1], await ReplayIndexesAsync(dir, 64));
    }

    [Fact]
    public async Task Open_TornRecordFollowedByIntactRecordOfTheSameBatch_IsATornTail()
    {
        // Page writes of one unsynced batch can land out of order: a later record of the batch may survive
        // while an earlier one is torn. None of the batch was acknowledged, so all of it goes.
        using var dir = new TempDirectory();
        var refs = await WriteAsync(dir, 2, 64);
        var segment = dir.Segments().Single();
        var bytes = (await File.ReadAllBytesAsync(segment)).ToList();
        var batchStart = bytes.Count;
        // Forge a final batch of two records: the first torn, the second intact.
        var journalBytes = await ForgeBatchAsync(dir, refs[^1].Position + 96, batchStart);
        var forged = bytes.Concat(journalBytes).ToArray();
        forged[batchStart + 40] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, forged);
        Assert.Equal([0, 1], await ReplayIndexesAsync(dir, 64));
    }

    /// <summary>Two framed 64-byte records as the flusher would write them in one batch at <paramref name="batchStart"/>.</summary>
    private static Task<byte[]> ForgeBatchAsync(TempDirectory dir, long position, int batchStart)
    {
        _ = dir;
        var frame = new byte[2 * 96];
        for (var i = 0; i < 2; i++)
        {
            var payload = TestData.Payload(2 + i, 64);
            Internal.RecordHeader.Write(frame.AsSpan(i * 96), 1, 0, (uint)batchStart, (ulong)(2 + i), position + (i * 96), payload);
            payload.CopyTo(frame.AsSpan((i * 96) + 32));
        }

        return Task.FromResult(frame);
    }

    [Fact]
    public async Task Open_MissingMiddleSegment_RefusesNamingIt()
    {
        using var dir = new TempDirectory();
        await WriteAsync(dir, 200, 1000);
        var segments = dir.Segments();
        File.Delete(segments[1]);
        var ex = await Assert.ThrowsAsync<JournalCorruptException>(async () => await Journal.OpenAsync(Options(dir)));
        Assert.Equal(segments[1], ex.File);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_MissingFirstSegment_Refuses()
    {
        using var dir = new TempDirectory();
        await WriteAsync(dir, 200, 1000);
        File.Delete(dir.Segments()[0]);
        await Assert.ThrowsAsync<JournalCorruptException>(async () => await Journal.OpenAsync(Options(dir)));
    }

    [Fact]
    public async Task Open_TornNewSegmentHeader_RemovesTheEmptySegment()
    {
        using var dir = new TempDirectory();
        await WriteAsync(dir, 3, 64);
        var torn = Path.Combine(dir.Path, "00000000000001000000.seg");
        await File.WriteAllBytesAsync(torn, new byte[20]);
        // The gap check must not fire for a segment that never held a record.
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            Assert.Equal(3, journal.ReadFrom(0).Count());
        }

        Assert.False(File.Exists(torn));
    }

    [Fact]
    public async Task Open_UnreadableCheckpoint_RefusesNamingIt()
    {
        using var dir = new TempDirectory();
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            await journal.AppendAsync(1, 0, [1, 2, 3]);
            await journal.WriteCheckpointAsync(journal.MarkCheckpoint(), new byte[] { 9, 9 });
        }

        var checkpoint = Path.Combine(dir.Path, "checkpoint");
        var bytes = await File.ReadAllBytesAsync(checkpoint);
        bytes[20] ^= 4;
        await File.WriteAllBytesAsync(checkpoint, bytes);
        var ex = await Assert.ThrowsAsync<JournalCorruptException>(async () => await Journal.OpenAsync(Options(dir)));
        Assert.Equal(checkpoint, ex.File);
    }

    [Fact]
    public async Task SegmentFormat_IsPinned()
    {
        // The on-disk layout is a promise to every existing data directory: this test fails if it changes.
        using var dir = new TempDirectory();
        await using (var journal = await Journal.OpenAsync(Options(dir)))
        {
            await journal.AppendAsync(0x0102, 0x1122334455667788, "hi"u8);
        }

        var bytes = await File.ReadAllBytesAsync(dir.Segments().Single());
        Assert.Equal("FERRYJNL"u8.ToArray(), bytes[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(64 + 40, bytes.Length);
        var record = bytes.AsSpan(64);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(record[4..]));
        Assert.Equal(0x0102, BinaryPrimitives.ReadUInt16LittleEndian(record[8..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(record[12..]));
        Assert.Equal(0x1122334455667788ul, BinaryPrimitives.ReadUInt64LittleEndian(record[16..]));
        Assert.Equal(64, BinaryPrimitives.ReadInt64LittleEndian(record[24..]));
        Assert.Equal("hi"u8.ToArray(), record[32..34].ToArray());
        var crc = Internal.Crc32C.Append(Internal.Crc32C.Compute(record[4..32]), record[32..34]);
        Assert.Equal(crc, BinaryPrimitives.ReadUInt32LittleEndian(record));
        Assert.Equal(new byte[6], record[34..40].ToArray());
    }
}
