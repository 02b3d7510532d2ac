using System.Text;

namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>One disk state that a power loss could have left.</summary>
/// <param name="EventIndex">The crash happened after this many device requests had been issued.</param>
/// <param name="Description">How the unsynced requests fared, for failure messages.</param>
/// <param name="Image">The files as recovery finds them.</param>
/// <param name="CheckpointsVisible">How many of the history's checkpoint replacements the image shows.</param>
/// <param name="Synced">Per segment, the journal positions <c>[Base, End)</c> that writes followed by an fdatasync of
/// that segment covered within the history: every record written there must be recovered.</param>
internal sealed record CrashState(int EventIndex, string Description, DiskImage Image, int CheckpointsVisible,
    (long Base, long End)[] Synced);

/// <summary>
/// Rebuilds, from a device's request history, the disk states a power loss could leave at every point of it.
/// </summary>
/// <remarks>
/// <para>The model, per file, for a crash after the first <c>k</c> requests:</para>
/// <list type="bullet">
/// <item>Every write and truncate of a segment followed (within the <c>k</c>) by an fdatasync of that segment is
/// durable, byte for byte.</item>
/// <item>Each write after the last such sync is, independently: <em>dropped</em>; <em>applied</em>; <em>torn</em> as
/// a prefix of any length (the data reached the platter up to some byte, and the file size followed); torn
/// <em>sector by sector</em> (each 512-byte sector of the file that it touches independently new or old — old being
/// what the durable file held there, zeros past its end — the size extending to the last new sector); or
/// <em>zero-filled</em> (the size reached the disk, the data did not, as delayed allocation on ext4 or XFS can leave).
/// Then, a quarter of the time, the file size is cut anywhere between the synced size and what the writes left
/// (the size update was lost while some pages were written). An unsynced truncate is either applied or not.</item>
/// <item>Creating and deleting a segment is durable when the request returns (FileJournalDevice fsyncs the directory
/// before returning, and no other request concerns the file in the window), so each is one point in the history.</item>
/// <item>A checkpoint replacement is atomic (FileJournalDevice writes a temporary file, fdatasyncs it, renames it over
/// the old one and fsyncs the directory): between its begin and end events a crash leaves the old or the new file,
/// never a mixture; after its end, the new one. The temporary file a crash may leave is deleted by FileJournalDevice
/// on open, so the image does not hold it.</item>
/// <item>Nothing that was durable is damaged: this models power loss, not failing media.</item>
/// </list>
/// <para>A process crash (SIGKILL; the machine stays up) loses nothing the process wrote: the page cache keeps it and
/// shows it to the next process. What was not synced yet is still not durable, though, so a history that begins after
/// a process crash starts with those writes pending (<see cref="ProcessCrash"/>): a later power loss may tear them.</para>
/// <para>Every request boundary is a crash point, so the points between two barriers are all visited; at each point
/// the state where everything unsynced was lost and the state where all of it arrived are checked, then
/// <c>randomVariants</c> random mixtures of the fates above, from a fixed seed.</para>
/// </remarks>
internal static class PowerLossModel
{
    /// <summary>The unit a disk writes atomically; 512 is the smallest in use, so it tears a write in the most places.</summary>
    public const int SectorSize = 512;

    public static IEnumerable<CrashState> Enumerate(DiskImage initial, IReadOnlyList<DeviceEvent> events, int seed, int randomVariants)
    {
        var random = new Random(seed);
        var walk = new Walk(initial);
        for (var k = 0; ; k++)
        {
            var hasPending = walk.CheckpointInFlight is not null || walk.Pending.Values.Any(p => p.Count > 0);
            var synced = walk.Synced.Select(p => (p.Key, p.Key + p.Value)).ToArray();
            yield return Build(k, "everything unsynced lost", walk, null, synced, random, Fates.DropAll);
            if (hasPending)
            {
                yield return Build(k, "everything unsynced arrived", walk, walk.CheckpointInFlight, synced, random, Fates.ApplyAll);
                for (var v = 0; v < randomVariants; v++)
                {
                    var inFlight = walk.CheckpointInFlight is not null && random.Next(2) == 0 ? walk.CheckpointInFlight : null;
                    yield return Build(k, "random", walk, inFlight, synced, random, Fates.Random);
                }
            }

            if (k == events.Count)
            {
                yield break;
            }

            walk.Apply(events[k]);
        }
    }

    /// <summary>What a process crash (SIGKILL, the machine stays up) after <paramref name="count"/> requests leaves: the
    /// durable files, and the writes and truncates not yet synced, which the page cache still shows to the next
    /// process but a later power loss may lose. Null when a checkpoint replacement was under way.</summary>
    public static (DiskImage Durable, List<DeviceEvent> Unsynced)? ProcessCrash(DiskImage initial, IReadOnlyList<DeviceEvent> events, int count)
    {
        var walk = new Walk(initial);
        for (var k = 0; k < count; k++)
        {
            walk.Apply(events[k]);
        }

        return walk.CheckpointInFlight is null ? (walk.Durable.Clone(), [.. walk.Pending.Values.SelectMany(p => p)]) : null;
    }

    /// <summary>The durable state, request by request.</summary>
    private sealed class Walk(DiskImage initial)
    {
        private readonly Dictionary<long, long> _writtenEnd = [];

        public DiskImage Durable { get; } = initial.Clone();

        /// <summary>Per segment, the writes and truncates since its last sync, in order.</summary>
        public Dictionary<long, List<DeviceEvent>> Pending { get; } = [];

        /// <summary>Per segment, the offset that writes followed by a sync covered.</summary>
        public Dictionary<long, long> Synced { get; } = [];

        public int Checkpoints { get; private set; }

        public byte[]? CheckpointInFlight { get; private set; }

        public void Apply(DeviceEvent e)
        {
            switch (e.Kind)
            {
                case DeviceEventKind.CreateSegment:
                    Durable.Segments.Add(e.Segment, new FileBytes());
                    Pending[e.Segment] = [];
                    Synced[e.Segment] = 0;
                    _writtenEnd[e.Segment] = 0;
                    break;
                case DeviceEventKind.DeleteSegment:
                    Durable.Segments.Remove(e.Segment);
                    Pending.Remove(e.Segment);
                    Synced.Remove(e.Segment);
                    _writtenEnd.Remove(e.Segment);
                    break;
                case DeviceEventKind.Write:
                    PendingOf(e.Segment).Add(e);
                    _writtenEnd[e.Segment] = Math.Max(_writtenEnd.GetValueOrDefault(e.Segment), e.Offset + e.Data!.Length);
                    break;
                case DeviceEventKind.Truncate:
                    PendingOf(e.Segment).Add(e);
                    _writtenEnd[e.Segment] = Math.Min(_writtenEnd.GetValueOrDefault(e.Segment), e.Offset);
                    break;
                case DeviceEventKind.Sync:
                    var file = Durable.Segments[e.Segment];
                    foreach (var op in PendingOf(e.Segment))
                    {
                        PowerLossModel.Apply(file, op);
                    }

                    Pending[e.Segment].Clear();
                    Synced[e.Segment] = _writtenEnd.GetValueOrDefault(e.Segment);
                    break;
                case DeviceEventKind.CheckpointBegin:
                    CheckpointInFlight = e.Data;
                    break;
                case DeviceEventKind.CheckpointEnd:
                    Durable.Checkpoint = e.Data;
                    Checkpoints++;
                    CheckpointInFlight = null;
                    break;
            }
        }

        private List<DeviceEvent> PendingOf(long segment)
        {
            if (!Pending.TryGetValue(segment, out var list))
            {
                // A segment of the initial image: it existed before this history began.
                Pending[segment] = list = [];
            }

            return list;
        }
    }

    private enum Fates
    {
        DropAll,
        ApplyAll,
        Random,
    }

    private static void Apply(FileBytes file, DeviceEvent op)
    {
        if (op.Kind == DeviceEventKind.Write)
        {
            file.Write(op.Offset, op.Data);
        }
        else
        {
            file.SetLength(op.Offset);
        }
    }

    private static CrashState Build(int k, string label, Walk walk, byte[]? checkpointInFlight, (long, long)[] synced, Random random, Fates fates)
    {
        var image = walk.Durable.Clone();
        var checkpoints = walk.Checkpoints;
        var description = new StringBuilder(label);
        if (checkpointInFlight is not null)
        {
            image.Checkpoint = checkpointInFlight;
            checkpoints++;
            description.Append("; the checkpoint being replaced is the new one");
        }

        if (fates != Fates.DropAll)
        {
            foreach (var (segment, ops) in walk.Pending)
            {
                if (ops.Count > 0)
                {
                    ApplyFates(image.Segments[segment], segment, ops, random, fates == Fates.Random, description);
                }
            }
        }

        return new CrashState(k, description.ToString(), image, checkpoints, synced);
    }

    private static void ApplyFates(FileBytes file, long segment, List<DeviceEvent> ops, Random random, bool mixed, StringBuilder description)
    {
        var syncedLength = file.Length;
        foreach (var op in ops)
        {
            if (!mixed)
            {
                Apply(file, op);
                continue;
            }

            description.Append($"; seg {segment} {op.Kind.ToString().ToLowerInvariant()} @{op.Offset}");
            if (op.Kind == DeviceEventKind.Truncate)
            {
                var applied = random.Next(2) == 0;
                description.Append(applied ? " applied" : " dropped");
                if (applied)
                {
                    Apply(file, op);
                }

                continue;
            }

            var data = op.Data!;
            description.Append($"+{data.Length}");
            switch (random.Next(5))
            {
                case 0:
                    description.Append(" dropped");
                    break;
                case 1:
                    description.Append(" applied");
                    file.Write(op.Offset, data);
                    break;
                case 2:
                    var keep = random.Next(data.Length);
                    description.Append($" torn after {keep} bytes");
                    file.Write(op.Offset, data.AsSpan(0, keep));
                    break;
                case 3:
                    description.Append(" sectors ");
                    TearBySector(file, op.Offset, data, random, description);
                    break;
                default:
                    description.Append(" zero-filled");
                    if (op.Offset + data.Length > file.Length)
                    {
                        file.SetLength(op.Offset + data.Length);
                    }

                    break;
            }
        }

        if (mixed && file.Length > syncedLength && random.Next(4) == 0)
        {
            var cut = random.NextInt64(syncedLength, file.Length);
            description.Append($"; seg {segment} size cut to {cut}");
            file.SetLength(cut);
        }
    }

    private static void TearBySector(FileBytes file, long offset, byte[] data, Random random, StringBuilder description)
    {
        var end = offset + data.Length;
        for (var sector = offset / SectorSize * SectorSize; sector < end; sector += SectorSize)
        {
            var from = Math.Max(sector, offset);
            var to = Math.Min(sector + SectorSize, end);
            var kept = random.Next(2) == 0;
            description.Append(kept ? '1' : '0');
            if (kept)
            {
                file.Write(from, data.AsSpan((int)(from - offset), (int)(to - from)));
            }
        }
    }
}
