using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Storage.Internal;

/// <summary>Segments as files <c>&lt;base position, 20 digits&gt;.seg</c> in one directory, plus a <c>checkpoint</c> file.</summary>
internal sealed class FileJournalDevice : IJournalDevice
{
    private const string SegmentExtension = ".seg";
    private const string CheckpointFile = "checkpoint";
    private const string CheckpointTempFile = "checkpoint.tmp";

    /// <summary>The next segment's space, allocated ahead of time and renamed when the segment starts.</summary>
    private const string SpareFile = "spare.seg.tmp";

    private readonly string _directory;
    private readonly long _preallocation;
    private SafeFileHandle? _spare;

    public FileJournalDevice(string directory, long segmentSize)
    {
        _directory = Path.GetFullPath(directory);
        _preallocation = segmentSize;
        var existed = Directory.Exists(_directory);
        Directory.CreateDirectory(_directory);
        if (!existed)
        {
            var parent = Path.GetDirectoryName(_directory);
            if (parent is not null)
            {
                NativeMethods.SyncDirectory(parent);
            }
        }

        // A temporary checkpoint is the leftover of a crash before its rename: the real one is still intact.
        File.Delete(Path.Combine(_directory, CheckpointTempFile));
        File.Delete(Path.Combine(_directory, SpareFile));
    }

    public string Location => _directory;

    public string CheckpointName => Path.Combine(_directory, CheckpointFile);

    public IReadOnlyList<long> ListSegments()
    {
        var bases = new List<long>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + SegmentExtension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                bases.Add(b);
            }
        }

        bases.Sort();
        return bases;
    }

    public string SegmentName(long basePosition) =>
        Path.Combine(_directory, basePosition.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension);

    public ISegmentFile CreateSegment(long basePosition)
    {
        if (_spare is { } spare)
        {
            // The spare's blocks were allocated while there was room; the rename needs none.
            _spare = null;
            File.Move(Path.Combine(_directory, SpareFile), SegmentName(basePosition));
            NativeMethods.SyncDirectory(_directory);
            return new FileSegment(spare);
        }

        // Preallocating the segment's blocks keeps each fdatasync from also committing block allocations.
        var handle = File.OpenHandle(SegmentName(basePosition), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read,
            FileOptions.None, _preallocation);
        NativeMethods.SyncDirectory(_directory);
        return new FileSegment(handle);
    }

    public bool HasSpare => _spare is not null;

    public bool PrepareSpare()
    {
        if (_spare is not null)
        {
            return true;
        }

        var path = Path.Combine(_directory, SpareFile);
        try
        {
            // The blocks are reserved (the length stays 0), so writes into the segment cannot run out of space.
            _spare = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, FileOptions.None, _preallocation);
            return true;
        }
        catch (IOException)
        {
            // No room (or the file system refused the allocation): the journal refuses new writes until there is.
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Nothing was left behind to delete.
            }

            return false;
        }
    }

    public ISegmentFile OpenSegment(long basePosition) =>
        new FileSegment(File.OpenHandle(SegmentName(basePosition), FileMode.Open, FileAccess.ReadWrite, FileShare.Read));

    public void DeleteSegment(long basePosition)
    {
        File.Delete(SegmentName(basePosition));
        NativeMethods.SyncDirectory(_directory);
    }

    public byte[]? ReadCheckpoint()
    {
        var path = Path.Combine(_directory, CheckpointFile);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    public void WriteCheckpoint(ReadOnlySpan<byte> content)
    {
        var temp = Path.Combine(_directory, CheckpointTempFile);
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, content, 0);
            NativeMethods.DataSync(handle);
        }

        File.Move(temp, Path.Combine(_directory, CheckpointFile), overwrite: true);
        NativeMethods.SyncDirectory(_directory);
    }

    public void Dispose()
    {
        _spare?.Dispose();
        _spare = null;
    }

    private sealed class FileSegment(SafeFileHandle handle) : ISegmentFile
    {
        public long Length => RandomAccess.GetLength(handle);

        public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, offset);

        public int Read(long offset, Span<byte> destination)
        {
            var total = 0;
            while (total < destination.Length)
            {
                var n = RandomAccess.Read(handle, destination[total..], offset + total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }

        public void Sync() => NativeMethods.DataSync(handle);

        public void Truncate(long length)
        {
            RandomAccess.SetLength(handle, length);
            NativeMethods.DataSync(handle);
        }

        public void Dispose() => handle.Dispose();
    }
}
