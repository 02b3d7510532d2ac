namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>What recoveries had to repair, to show that the crash states reach those paths.</summary>
internal sealed class RecoveryCounts
{
    /// <summary>Recoveries that cut a torn tail off the last segment.</summary>
    public int TornTails { get; private set; }

    /// <summary>Recoveries that deleted a new segment whose first write was torn.</summary>
    public int TornSegments { get; private set; }

    /// <summary>Recoveries that deleted segments a checkpoint had made dead before a crash interrupted the deletion.</summary>
    public int InterruptedDeletions { get; private set; }

    public void Count(IReadOnlyList<DeviceEvent> recoveryEvents, DiskImage image)
    {
        var last = image.Segments.Count > 0 ? image.Segments.Keys.Max() : -1;
        TornTails += recoveryEvents.Any(e => e.Kind == DeviceEventKind.Truncate) ? 1 : 0;
        TornSegments += recoveryEvents.Any(e => e.Kind == DeviceEventKind.DeleteSegment && e.Segment == last) ? 1 : 0;
        InterruptedDeletions += recoveryEvents.Any(e => e.Kind == DeviceEventKind.DeleteSegment && e.Segment != last) ? 1 : 0;
    }
}

/// <summary>Opens a fresh journal over one crash state and checks what it recovers against the history.</summary>
internal static class RecoveryVerifier
{
    /// <summary>Ids of the records appended after recovery to check that the journal carries on; no history uses them.</summary>
    private const long ContinuationIds = long.MaxValue / 2;

    /// <summary>Checks one crash state — then appends after recovery, closes, reopens and checks that nothing was lost
    /// — and returns null when all is well, else what is wrong.</summary>
    /// <param name="acknowledgedMeansSynced">True in fsync mode: every acknowledged record must survive. In the other
    /// modes only what an fdatasync covered must.</param>
    /// <param name="options">How to open the journal. Recovery is the same code in every mode; a
    /// <see cref="DurabilityMode.Memory"/> journal spares the flusher thread and its hand-offs, so the caller uses it for
    /// most states and the history's own mode for the rest.</param>
    public static async Task<string?> CheckAsync(CrashState state, GenerationHistory history, JournalOptions options,
        bool acknowledgedMeansSynced, RecoveryCounts counts)
    {
        var device = new RecordingJournalDevice(state.Image);
        Journal journal;
        try
        {
            journal = Journal.Open(options, device);
        }
        catch (JournalException ex)
        {
            // Nothing durable is ever damaged in this model, so a refusal is never legitimate.
            return $"recovery refused: {ex.Message}";
        }

        HashSet<long> replayed;
        await using (journal)
        {
            counts.Count(device.Events, state.Image);
            var problem = CheckRecovered(journal, state, history, acknowledgedMeansSynced, out replayed);
            if (problem is not null)
            {
                return problem;
            }

            try
            {
                for (var i = 0; i < 2; i++)
                {
                    await journal.AppendAsync(7, 0, PowerLossPayload.Create(ContinuationIds + i, -1, i, 100 + (i * 900)));
                }
            }
            catch (JournalException ex)
            {
                return $"appending after recovery failed: {ex.Message}";
            }
        }

        // A clean reopen of what the recovered journal left: the earlier records and the two new ones, nothing refused.
        try
        {
            await using var reopened = Journal.Open(options, device);
            var seen = 0;
            var continued = 0;
            foreach (var record in reopened.ReadFrom(reopened.ReplayPosition))
            {
                if (!PowerLossPayload.TryRead(record.Payload.Span, out var id, out _, out _))
                {
                    return $"after recovery and two appends, a reopen replays garbage at {record.Ref.Position}";
                }

                seen += replayed.Contains(record.Ref.Position) ? 1 : 0;
                continued += id >= ContinuationIds ? 1 : 0;
            }

            return seen == replayed.Count && continued == 2
                ? null
                : $"after recovery and two appends, a reopen replays {seen} of the {replayed.Count} recovered records and {continued} of the 2 new ones";
        }
        catch (JournalException ex)
        {
            return $"after recovery and two appends, a clean reopen is refused: {ex.Message}";
        }
    }

    private static string? CheckRecovered(Journal journal, CrashState state, GenerationHistory history, bool acknowledgedMeansSynced,
        out HashSet<long> replayed)
    {
        replayed = [];

        // The checkpoint: exactly the snapshot of the last replacement the image shows, and replay starts at its mark.
        var expected = state.CheckpointsVisible == 0 ? history.InitialSnapshot : history.Snapshots[state.CheckpointsVisible - 1];
        var actual = journal.Checkpoint?.ToArray();
        if (expected is null != actual is null || (expected is not null && !expected.AsSpan().SequenceEqual(actual)))
        {
            return $"the recovered checkpoint snapshot is not the one the disk holds (expected {state.CheckpointsVisible} of this history's checkpoints)";
        }

        if (expected is not null)
        {
            var (_, mark, live) = PowerLossSnapshot.Read(expected);
            if (journal.ReplayPosition != mark)
            {
                return $"replay starts at {journal.ReplayPosition}, but the checkpoint was marked at {mark}";
            }

            foreach (var (id, r) in live)
            {
                try
                {
                    var payload = journal.Read(r);
                    if (!PowerLossPayload.TryRead(payload, out var readId, out _, out _) || readId != id)
                    {
                        return $"record {id} of the checkpoint snapshot reads back different bytes at {r.Position}";
                    }
                }
                catch (JournalException ex)
                {
                    return $"record {id} of the checkpoint snapshot at {r.Position} cannot be read: {ex.Message}";
                }
            }
        }

        // Replay: every record is one the history appended (or compaction copied), byte for byte, in order.
        var lastByWriter = new Dictionary<int, int>();
        var lastPosition = -1L;
        try
        {
            foreach (var record in journal.ReadFrom(journal.ReplayPosition))
            {
                var position = record.Ref.Position;
                if (position <= lastPosition)
                {
                    return $"replay went back from {lastPosition} to {position}";
                }

                lastPosition = position;
                if (!PowerLossPayload.TryRead(record.Payload.Span, out var id, out var writer, out var sequence)
                    || record.ResourceId != (ulong)id)
                {
                    return $"replay returned garbage at {position} ({record.Ref.Length} bytes)";
                }

                if (history.Known.TryGetValue(position, out var known))
                {
                    if (known.Id != id || known.Relocated != record.IsRelocated || known.Ref.Length != record.Ref.Length)
                    {
                        return $"replay returned record {id} at {position}, where the history put {known}";
                    }
                }
                else if (!record.IsRelocated || !history.Ids.Contains(id))
                {
                    return $"replay returned record {id} at {position}, which was never appended there";
                }

                if (!record.IsRelocated)
                {
                    if (lastByWriter.TryGetValue(writer, out var previous) && sequence <= previous)
                    {
                        return $"writer {writer}'s record #{sequence} replayed after its #{previous}";
                    }

                    lastByWriter[writer] = sequence;
                }

                replayed.Add(position);
            }
        }
        catch (JournalException ex)
        {
            return $"replay failed after recovery succeeded: {ex.Message}";
        }

        // Everything acknowledged (fsync mode) or covered by an fdatasync is there, unless the checkpoint covers it.
        foreach (var known in history.Known.Values)
        {
            if (known.Ref.Position < journal.ReplayPosition || replayed.Contains(known.Ref.Position))
            {
                continue;
            }

            if (acknowledgedMeansSynced && known.AcknowledgedAt <= state.EventIndex)
            {
                return $"acknowledged {known} is missing (acknowledged after event {known.AcknowledgedAt})";
            }

            if (IsSynced(state, known.Ref))
            {
                return $"{known} is missing although an fdatasync covered it";
            }
        }

        return null;
    }

    private static bool IsSynced(CrashState state, RecordRef r)
    {
        foreach (var (basePosition, end) in state.Synced)
        {
            if (basePosition <= r.Position && r.Position + 32 + r.Length <= end)
            {
                return true;
            }
        }

        return false;
    }
}
