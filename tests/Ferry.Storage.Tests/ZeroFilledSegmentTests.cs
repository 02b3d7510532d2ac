namespace Ferry.Storage.Tests;

/// <summary>
/// Segments made from a spare whose space was written with zeros ahead of time: the journal moves to such a spare early,
/// a sealed segment is cut to its records before the next one exists, and recovery finds the records in front of the
/// zeros, keeping the zeros of the last segment and cutting off a torn batch.
/// </summary>
public class ZeroFilledSegmentTests
{
    private const long SegmentSize = 256 * 1024;
    private const int RecordSize = 1000;

    private static JournalOptions Options(string directory) =>
        new() { Directory = directory, Durability = Durability.Fsync, SegmentSize = SegmentSize };

    private static async Task<List<int>> ReplayAsync(string directory)
    {
        await using var journal = await Journal.OpenAsync(Options(directory));
        var seen = new List<int>();
        foreach (var record in journal.ReadFrom(journal.ReplayPosition))
        {
            var index = (int)record.ResourceId;
            Assert.Equal(TestData.Payload(index, RecordSize), record.Payload.ToArray());
            seen.Add(index);
        }

        return seen;
    }

    /// <summary>Appends until some segment file is a whole segment long: one made from a zero-filled spare.</summary>
    private static async Task<int> AppendUntilAZeroFilledSegmentAsync(Journal journal, TempDirectory dir, int first)
    {
        var next = first;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!dir.Segments().Any(s => new FileInfo(s).Length == SegmentSize))
        {
            Assert.True(DateTime.UtcNow < deadline, "no segment was made from a zero-filled spare");
            await journal.AppendAsync(1, (ulong)next, TestData.Payload(next, RecordSize));
            next++;
        }

        return next;
    }

    [Fact]
    public async Task ABusyJournal_MovesToAZeroFilledSpare_AndSealedSegmentsEndAtTheirRecords()
    {
        using var dir = new TempDirectory();
        int count;
        await using (var journal = await Journal.OpenAsync(Options(dir.Path)))
        {
            count = await AppendUntilAZeroFilledSegmentAsync(journal, dir, 0);
            for (var i = 0; i < 600; i++, count++)
            {
                await journal.AppendAsync(1, (ulong)count, TestData.Payload(count, RecordSize));
            }

            // 1,056-byte frames never fill a segment exactly: a sealed segment as long as a whole one would still hold
            // its zeros.
            var segments = dir.Segments();
            Assert.True(segments.Length >= 3, $"{segments.Length} segments");
            Assert.All(segments[..^1], s => Assert.True(new FileInfo(s).Length < SegmentSize, $"{s} was not cut to its records"));
        }

        // The last segment keeps its zeros (and so the space for the rest of it) across a restart; every record reads
        // back, in order, and appends go on in front of the zeros.
        Assert.Equal(SegmentSize, new FileInfo(dir.Segments()[^1]).Length);
        Assert.Equal(Enumerable.Range(0, count), await ReplayAsync(dir.Path));
        Assert.Equal(SegmentSize, new FileInfo(dir.Segments()[^1]).Length);
        await using (var journal = await Journal.OpenAsync(Options(dir.Path)))
        {
            for (var i = 0; i < 10; i++, count++)
            {
                await journal.AppendAsync(1, (ulong)count, TestData.Payload(count, RecordSize));
            }
        }

        Assert.Equal(Enumerable.Range(0, count), await ReplayAsync(dir.Path));
    }

    [Fact]
    public async Task ACrash_InAZeroFilledSegment_RecoversEveryAcknowledgedRecord_AndAppendsContinue()
    {
        using var dir = new TempDirectory();
        using var crashed = new TempDirectory();
        int count;
        await using (var journal = await Journal.OpenAsync(Options(dir.Path)))
        {
            count = await AppendUntilAZeroFilledSegmentAsync(journal, dir, 0);
            for (var i = 0; i < 20; i++, count++)
            {
                await journal.AppendAsync(1, (ulong)count, TestData.Payload(count, RecordSize));
            }

            // What a crash now leaves on disk: every acknowledged record is synced, the last segment runs on in zeros.
            foreach (var segment in dir.Segments())
            {
                File.Copy(segment, Path.Combine(crashed.Path, Path.GetFileName(segment)));
            }
        }

        Assert.Equal(SegmentSize, new FileInfo(crashed.Segments()[^1]).Length);
        Assert.Equal(Enumerable.Range(0, count), await ReplayAsync(crashed.Path));

        await using (var journal = await Journal.OpenAsync(Options(crashed.Path)))
        {
            for (var i = 0; i < 300; i++, count++)
            {
                await journal.AppendAsync(1, (ulong)count, TestData.Payload(count, RecordSize));
            }
        }

        Assert.Equal(Enumerable.Range(0, count), await ReplayAsync(crashed.Path));
    }

    [Fact]
    public async Task ATornBatchInFrontOfTheZeros_IsCutOff()
    {
        using var dir = new TempDirectory();
        await using (var journal = await Journal.OpenAsync(Options(dir.Path)))
        {
            for (var i = 0; i < 10; i++)
            {
                await journal.AppendAsync(1, (ulong)i, TestData.Payload(i, RecordSize));
            }
        }

        // The last batch was half written when the process died: garbage, then the zeros of the filled spare.
        var last = dir.Segments()[^1];
        var length = new FileInfo(last).Length;
        await using (var stream = new FileStream(last, FileMode.Append))
        {
            stream.Write(Enumerable.Repeat((byte)0xA5, 700).ToArray());
            stream.Write(new byte[SegmentSize - length - 700]);
        }

        Assert.Equal(Enumerable.Range(0, 10), await ReplayAsync(dir.Path));
        Assert.Equal(length, new FileInfo(last).Length);
    }

    [Fact]
    public async Task ALastSegmentWithAZeroTail_IsCutToItsRecordsWhenTheNextSegmentStarts()
    {
        using var dir = new TempDirectory();
        var count = 0;
        await using (var journal = await Journal.OpenAsync(Options(dir.Path)))
        {
            count = await AppendUntilAZeroFilledSegmentAsync(journal, dir, 0);
        }

        var zeroTailed = dir.Segments()[^1];
        Assert.Equal(SegmentSize, new FileInfo(zeroTailed).Length);
        var segmentBase = long.Parse(Path.GetFileNameWithoutExtension(zeroTailed), System.Globalization.CultureInfo.InvariantCulture);
        long recordsEnd;
        await using (var journal = await Journal.OpenAsync(Options(dir.Path)))
        {
            // Appends go in front of the zeros until one no longer fits and the next segment starts.
            while (true)
            {
                recordsEnd = journal.GetStats().Tail - segmentBase;
                await journal.AppendAsync(1, (ulong)count, TestData.Payload(count, RecordSize));
                count++;
                if (dir.Segments()[^1] != zeroTailed)
                {
                    break;
                }
            }
        }

        Assert.Equal(recordsEnd, new FileInfo(zeroTailed).Length);
        Assert.Equal(Enumerable.Range(0, count), await ReplayAsync(dir.Path));
    }
}
