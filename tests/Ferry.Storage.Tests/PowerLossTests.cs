using Ferry.Storage.Tests.PowerLoss;
using Xunit.Abstractions;

namespace Ferry.Storage.Tests;

/// <summary>
/// Power loss at every request the journal makes of its device: the journal runs on a recording device, and for every
/// point of the history each disk state the crash model allows (<see cref="PowerLossModel"/>) is recovered by a fresh
/// journal and checked (<see cref="RecoveryVerifier"/>). Set <c>FERRY_POWERLOSS_SECONDS</c> to keep running new seeds
/// for that long.
/// </summary>
public sealed class PowerLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Fsync_PowerLossAtEveryDeviceRequest_KeepsEveryAcknowledgedRecordAndReturnsNothingElse()
    {
        var run = await PowerLossRun.RunAsync(new PowerLossSettings(), acknowledgedMeansSynced: true, firstSeed: 1, minSeeds: 2,
            generations: 3, randomVariants: 3, PowerLossRun.BudgetFromEnvironment());

        output.WriteLine(run.Summary);
        Assert.True(run.Passed, run.Describe());
    }

    [Fact]
    public async Task Interval_PowerLossAtEveryDeviceRequest_KeepsEverythingSyncedAndNeverRefusesToStart()
    {
        // In interval mode an acknowledged record may be lost with the last few milliseconds, but what an fdatasync
        // covered may not, and losing unsynced data must never stop the journal from opening.
        var settings = new PowerLossSettings { Durability = Durability.Parse("interval:2") };
        var run = await PowerLossRun.RunAsync(settings, acknowledgedMeansSynced: false, firstSeed: 101, minSeeds: 1,
            generations: 3, randomVariants: 3, PowerLossRun.BudgetFromEnvironment());

        output.WriteLine(run.Summary);
        Assert.True(run.Passed, run.Describe());
    }

    private static JournalOptions Options(string durability) =>
        new() { Directory = "power-loss", Durability = Durability.Parse(durability), SegmentSize = 8192 };

    private static byte[] Payload(long id, int length = 600) => PowerLossPayload.Create(id, 0, (int)id, length);

    /// <summary>Opens a journal over every crash state of a history and returns the ids each recovery replays (null
    /// where it refused), with the state.</summary>
    private static List<(CrashState State, List<long>? Ids, string? Refusal)> RecoverEveryState(DiskImage initial, IReadOnlyList<DeviceEvent> events)
    {
        var outcomes = new List<(CrashState, List<long>?, string?)>();
        foreach (var state in PowerLossModel.Enumerate(initial, events, seed: 5, randomVariants: 20))
        {
            try
            {
                var journal = Journal.Open(Options("memory"), new RecordingJournalDevice(state.Image));
                var ids = journal.ReadFrom(journal.ReplayPosition).Select(r => BitConverter.ToInt64(r.Payload.Span)).ToList();
                journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
                outcomes.Add((state, ids, null));
            }
            catch (JournalException ex)
            {
                outcomes.Add((state, null, $"after event {state.EventIndex} ({state.Description}): {ex.Message}"));
            }
        }

        return outcomes;
    }

    [Fact]
    public async Task ProcessCrashBeforeAnFdatasync_ThenPowerLossAfterRestart_KeepsWhatRecoveryReturnedAndOpens()
    {
        // A process appends a record and is killed before its fdatasync: the record is in the page cache only, and
        // the restarted process recovers it from there. A power loss during the restarted process's first group
        // commit must neither be refused (that record torn, the new batch intact) nor lose what recovery returned.
        var before = new RecordingJournalDevice();
        await using (var journal = Journal.Open(Options("fsync"), before))
        {
            for (var id = 0; id < 4; id++)
            {
                await journal.AppendAsync(1, 0, Payload(id));
            }
        }

        var first = new RecordingJournalDevice(before.Snapshot());
        var killed = Journal.Open(Options("interval:60000"), first);
        await killed.AppendAsync(1, 0, Payload(4));
        var (durable, unsynced) = PowerLossModel.ProcessCrash(before.Snapshot(), first.Events, first.EventCount)!.Value;
        await killed.DisposeAsync();
        Assert.Single(unsynced);

        var second = new RecordingJournalDevice(durable, unsynced);
        int recovered;
        await using (var restarted = Journal.Open(Options("fsync"), second))
        {
            Assert.Equal([0, 1, 2, 3, 4], restarted.ReadFrom(0).Select(r => BitConverter.ToInt64(r.Payload.Span)));
            recovered = second.EventCount;
            await restarted.AppendAsync(1, 0, Payload(5));
        }

        var outcomes = RecoverEveryState(durable, second.Events);
        Assert.Empty(outcomes.Where(o => o.Refusal is not null).Select(o => o.Refusal));
        Assert.All(outcomes.Where(o => o.State.EventIndex >= recovered), o => Assert.Equal([0, 1, 2, 3, 4], o.Ids!.Take(5)));
    }

    [Fact]
    public async Task DamageToSyncedData_IsRefusedNamingFileAndOffset()
    {
        // The counterpart of the model: a flipped bit in a record that later synced batches follow is damage no power
        // loss causes, and recovery must refuse it, naming the segment and the record's offset.
        var device = new RecordingJournalDevice();
        var refs = new List<RecordRef>();
        await using (var journal = Journal.Open(Options("fsync"), device))
        {
            for (var id = 0; id < 6; id++)
            {
                refs.Add(await journal.AppendAsync(1, 0, Payload(id)));
            }
        }

        var image = device.Snapshot();
        var (basePosition, file) = Assert.Single(image.Segments);
        var offset = refs[2].Position - basePosition;
        file.Write(offset + 40, [(byte)(file.Span[(int)offset + 40] ^ 0x10)]);

        var refused = Assert.Throws<JournalCorruptException>(() => Journal.Open(Options("memory"), new RecordingJournalDevice(image)));
        Assert.Equal(new RecordingJournalDevice().SegmentName(basePosition), refused.File);
        Assert.Equal(offset, refused.Offset);
    }

    [Fact]
    public async Task Interval_SegmentLeftByAnEarlierRound_IsSyncedBeforeTheNextSegmentIsWritten()
    {
        // In interval mode a round may write a segment's last batch without syncing it; the round that writes the next
        // segment must sync it first, or a power loss could tear a sealed segment (refused at open) and its tail would
        // never see an fdatasync.
        var device = new RecordingJournalDevice();
        await using (var journal = Journal.Open(Options("interval:60000"), device))
        {
            await journal.AppendAsync(1, 0, Payload(0, 1000));
            await journal.AppendAsync(1, 0, Payload(1, 7400));
        }

        var events = device.Events;
        var firstWriteOfSecond = events.ToList().FindIndex(e => e.Kind == DeviceEventKind.Write && e.Segment != 0);
        var lastWriteOfFirst = events.ToList().FindLastIndex(e => e.Kind == DeviceEventKind.Write && e.Segment == 0);
        Assert.True(firstWriteOfSecond > 0, "the second record did not roll over to a new segment");
        Assert.Contains(events.Skip(lastWriteOfFirst).Take(firstWriteOfSecond - lastWriteOfFirst),
            e => e.Kind == DeviceEventKind.Sync && e.Segment == 0);
        Assert.Empty(RecoverEveryState(new DiskImage(), events).Where(o => o.Refusal is not null).Select(o => o.Refusal));
    }

    [Fact]
    public async Task Interval_TornBatchFollowedByAnIntactUnsyncedOne_IsCutNotRefused()
    {
        // Two batches written in one interval, neither synced: a power loss may keep the second and tear the first.
        // Nothing synced is damaged, so recovery must cut the tail, not refuse to start.
        var device = new RecordingJournalDevice();
        await using (var journal = Journal.Open(Options("interval:60000"), device))
        {
            for (var id = 0; id < 4; id++)
            {
                await journal.AppendAsync(1, 0, Payload(id));
            }
        }

        Assert.True(device.Events.Count(e => e.Kind == DeviceEventKind.Write) >= 4);
        Assert.Empty(RecoverEveryState(new DiskImage(), device.Events).Where(o => o.Refusal is not null).Select(o => o.Refusal));
    }
}
