using System.Text;
using Ferry.Engine.RedisStreams;

namespace Ferry.Engine.Tests;

public sealed class RedisStreamsTests : IAsyncLifetime
{
    private EngineFixture _f = null!;

    private RedisStreams.RedisStreams Streams => _f.Broker.RedisStreams;

    public async Task InitializeAsync() => _f = await EngineFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private sealed class Fields(params string[] values) : IStreamFields
    {
        public int Count => values.Length;

        public ReadOnlySpan<byte> this[int index] => Encoding.UTF8.GetBytes(values[index]);
    }

    private async Task<StreamId> Add(string key, params string[] fields) =>
        (await Streams.AddAsync(Encoding.UTF8.GetBytes(key), new AddIdSpec(true, false, default), false, default, new Fields(fields)))!.Value;

    private static string[] Text(StreamEntry e)
    {
        var list = new List<string>();
        foreach (var f in e.Fields)
        {
            list.Add(Encoding.UTF8.GetString(f));
        }

        return [.. list];
    }

    [Fact]
    public async Task XAdd_AutomaticIds_FollowTheClock()
    {
        var a = await Add("s", "f", "1");
        var b = await Add("s", "f", "2");
        Assert.Equal(new StreamId((ulong)_f.Clock.GetUtcNow().ToUnixTimeMilliseconds(), 0), a);
        Assert.Equal(new StreamId(a.Ms, 1), b);
        _f.Clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(new StreamId(a.Ms + 5, 0), await Add("s", "f", "3"));
        Assert.Equal(["f", "2"], Text(Streams.Range("s", b, b, -1, false).Single()));
    }

    [Fact]
    public async Task ReadGroup_IdleEntriesAreClaimedAfterTheManualClockAdvances()
    {
        await Streams.CreateGroupAsync("s", "g", StreamId.Zero, mkStream: true, null);
        var id = await Add("s", "k", "v");
        var read = await Streams.ReadGroupAsync("g", "c1", ["s"], [null], 10, null, false, default);
        Assert.Equal(id, read!.Single().Entries.Single().Id);
        var early = await Streams.AutoClaimAsync("s", "g", "c2", 60_000, StreamId.Zero, 10, false);
        Assert.Empty(early.Claimed);
        _f.Clock.Advance(TimeSpan.FromMinutes(2));
        var late = await Streams.AutoClaimAsync("s", "g", "c2", 60_000, StreamId.Zero, 10, false);
        Assert.Equal(id, late.Claimed.Single().Id);
        var pending = Streams.PendingRange("s", "g", 0, StreamId.Zero, StreamId.Max, 10, null).Single();
        Assert.Equal(("c2", 2L), (pending.Consumer, pending.DeliveryCount));
    }

    [Fact]
    public async Task ReadGroup_Blocking_WakesOnAdd()
    {
        await Streams.CreateGroupAsync("s", "g", null, mkStream: true, null);
        var reading = Streams.ReadGroupAsync("g", "c", ["s"], [null], 10, TimeSpan.Zero, false, default);
        Assert.False(reading.IsCompleted);
        var id = await Add("s", "a", "b");
        var read = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(id, read!.Single().Entries.Single().Id);
    }

    [Fact]
    public async Task Read_Blocking_TimesOutOnTheManualClock()
    {
        var reading = Streams.ReadAsync(["s"], [new ReadPosition(ReadPositionKind.Last, default)], 0, TimeSpan.FromSeconds(5), default);
        Assert.False(reading.IsCompleted);
        _f.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(await reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_KeepsEntriesGroupsPendingAndDeliveryCounts(bool checkpoint)
    {
        var ids = new List<StreamId>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Add("s", "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await Streams.CreateGroupAsync("s", "g", StreamId.Zero, false, null);
        await Streams.ReadGroupAsync("g", "c1", ["s"], [null], 3, null, false, default);
        await Streams.AckAsync("s", "g", [ids[0]]);
        await Streams.ClaimAsync("s", "g", "c2", 0, [ids[1]], new ClaimOptions());
        await Streams.DeleteEntriesAsync("s", [ids[4]]);
        await Streams.TrimAsync("t", default);
        await Add("gone", "x", "y");
        await Streams.DeleteKeysAsync(["gone"]);
        if (checkpoint)
        {
            await _f.Broker.CheckpointAsync();
            await Add("s", "after", "checkpoint");
        }

        await _f.RestartAsync();

        Assert.False(Streams.Exists("gone"));
        var entries = Streams.Range("s", StreamId.Zero, StreamId.Max, -1, false);
        Assert.Equal(checkpoint ? 5 : 4, entries.Count);
        Assert.Equal(["n", "0"], Text(entries[0]));
        var pending = Streams.PendingRange("s", "g", 0, StreamId.Zero, StreamId.Max, 10, null);
        Assert.Equal([(ids[1], "c2", 2L), (ids[2], "c1", 1L)], pending.Select(p => (p.Id, p.Consumer, p.DeliveryCount)));
        var next = await Streams.ReadGroupAsync("g", "c1", ["s"], [null], 10, null, false, default);
        Assert.Equal(ids[3], next!.Single().Entries[0].Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_KeepsALongStream_WithDeletedAndTrimmedEntries(bool checkpoint)
    {
        // Long enough for several chunks of slots, with a whole chunk deleted, scattered deletes and a trim.
        var count = RedisStream.ChunkSize * 3 + 100;
        var adds = new List<ValueTask<StreamId?>>(count);
        for (var i = 0; i < count; i++)
        {
            adds.Add(Streams.AddAsync("s"u8, new AddIdSpec(true, false, default), false, default, new Fields("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        var ids = new List<StreamId>(count);
        foreach (var add in adds)
        {
            ids.Add((await add)!.Value);
        }

        var deleted = ids.Skip(RedisStream.ChunkSize).Take(RedisStream.ChunkSize).Concat(ids.Where((_, i) => i % 7 == 3)).Distinct().ToList();
        Assert.Equal(deleted.Count, await Streams.DeleteEntriesAsync("s", deleted));
        await Streams.TrimAsync("s", new TrimSpec(TrimStrategy.MinId, 0, ids[100], false, 0));
        var expected = ids.Skip(100).Except(deleted).ToList();
        if (checkpoint)
        {
            await _f.Broker.CheckpointAsync();
            await Streams.DeleteEntriesAsync("s", [expected[^1]]);
            expected.RemoveAt(expected.Count - 1);
        }

        await _f.RestartAsync();

        var entries = Streams.Range("s", StreamId.Zero, StreamId.Max, -1, false);
        Assert.Equal(expected, entries.Select(e => e.Id));
        Assert.Equal(expected.Count, Streams.Length("s"));
        var last = entries[^1];
        Assert.Equal(["n", (ids.IndexOf(last.Id)).ToString(System.Globalization.CultureInfo.InvariantCulture)], Text(last));
        var added = await Add("s", "after", "restart");
        Assert.True(added > ids[^1]);
    }

    /// <summary>A checkpoint reads a long stream's slots after it let writers go: what they change meanwhile must not
    /// reach the snapshot, which is the state at the capture.</summary>
    [Fact]
    public async Task Capture_IsTheStateWhenTaken_WhateverWritersDoBeforeItIsWritten()
    {
        var ids = await AddMany("long", RedisStream.ChunkSize * 4 + 100);
        var shortIds = await AddMany("short", 50);
        await Streams.DeleteEntriesAsync("long", ids.Where((_, i) => i % 5 == 0).ToList());
        await Streams.DeleteEntriesAsync("short", [shortIds[3]]);
        await Streams.CreateGroupAsync("long", "g", StreamId.Zero, false, null);
        await Streams.ReadGroupAsync("g", "c", ["long"], [null], 10, null, false, default);

        var expected = Serialize(Streams.CaptureSnapshot());
        var capture = Streams.CaptureSnapshot();

        // Every kind of change, while the capture holds the chunks: deletes of live entries (a whole chunk among them),
        // trims that drop chunks, appends that need new ones, groups and keys.
        var live = ids.Where((_, i) => i % 5 != 0).ToList();
        await Streams.DeleteEntriesAsync("long", live.Skip(RedisStream.ChunkSize).Take(RedisStream.ChunkSize + 10).ToList());
        await Streams.TrimAsync("long", new TrimSpec(TrimStrategy.MinId, 0, ids[RedisStream.ChunkSize * 3], false, 0));
        await AddMany("long", RedisStream.ChunkSize * 2);
        await Streams.AckAsync("long", "g", [ids[1]]);
        await Streams.DeleteEntriesAsync("short", [shortIds[4]]);
        await Streams.TrimAsync("short", new TrimSpec(TrimStrategy.MaxLen, 0, default, false, 0));
        await AddMany("short", 10);
        await Streams.DeleteKeysAsync(["long"]);
        await AddMany("long", 20);

        Assert.Equal(expected, Serialize(capture));

        // And the stream taken apart meanwhile is whole again for the next capture.
        Assert.Equal(Serialize(Streams.CaptureSnapshot()), Serialize(Streams.CaptureSnapshot()));
    }

    /// <summary>What a checkpoint does while every writer waits: for a long stream, no work in proportion to its
    /// entries (it serialized them all there, and writers stalled for seconds behind a stream of millions).</summary>
    [Fact]
    public async Task Capture_OfALongStream_LeavesItsEntriesForLater()
    {
        await AddMany("long", RedisStream.ChunkSize * 12);
        Serialize(Streams.CaptureSnapshot());

        var before = GC.GetAllocatedBytesForCurrentThread();
        var capture = Streams.CaptureSnapshot();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 49,152 entries are 1.4 MB serialized; the capture lends the stream's twelve chunks instead.
        Assert.True(allocated < 16 * 1024, $"the capture allocated {allocated} bytes");
        Assert.True(Serialize(capture).Length > RedisStream.ChunkSize * 12 * 28);
    }

    private static byte[] Serialize(Action<Internal.PayloadWriter> capture)
    {
        using var w = new Internal.PayloadWriter();
        capture(w);
        return w.WrittenSpan.ToArray();
    }

    private async Task<List<StreamId>> AddMany(string key, int count)
    {
        var adds = new List<ValueTask<StreamId?>>(count);
        for (var i = 0; i < count; i++)
        {
            adds.Add(Streams.AddAsync(Encoding.UTF8.GetBytes(key), new AddIdSpec(true, false, default), false, default, new Fields("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        var ids = new List<StreamId>(count);
        foreach (var add in adds)
        {
            ids.Add((await add)!.Value);
        }

        return ids;
    }

    /// <summary>A checkpoint taken while writers add, delete and trim, then a restart: the stream is what the
    /// acknowledged commands left, and its records are accounted for (compaction finds nothing released twice).</summary>
    [Fact]
    public async Task Checkpoint_WhileWritersChangeALongStream_RestartsToWhatTheyLeft()
    {
        var ids = await AddMany("s", RedisStream.ChunkSize * 3 + 7);
        var writers = Task.Run(async () =>
        {
            for (var round = 0; round < 40; round++)
            {
                await AddMany("s", 100);
                await Streams.DeleteEntriesAsync("s", ids.Skip(round * 97).Take(50).ToList());
                await Streams.TrimAsync("s", new TrimSpec(TrimStrategy.MinId, 0, ids[round * 60], false, 0));
            }
        });
        for (var i = 0; i < 5; i++)
        {
            await _f.Broker.CheckpointAsync();
        }

        await writers;
        var expected = Streams.Range("s", StreamId.Zero, StreamId.Max, -1, false).Select(e => e.Id).ToList();

        await _f.RestartAsync();

        Assert.Equal(expected, Streams.Range("s", StreamId.Zero, StreamId.Max, -1, false).Select(e => e.Id));
        await Streams.DeleteKeysAsync(["s"]);
        await _f.Broker.CheckpointAsync();
        await _f.Broker.MaintainOnceAsync();
        await _f.RestartAsync();
        Assert.False(Streams.Exists("s"));
    }

    [Fact]
    public async Task ReadGroup_History_CountsADeliveryAndResetsTheIdleTime_AndARestartKeepsThem()
    {
        var ids = new List<StreamId>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Add("s", "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await Streams.CreateGroupAsync("s", "g", StreamId.Zero, false, null);
        await Streams.ReadGroupAsync("g", "c1", ["s"], [null], 10, null, false, default);
        await Streams.DeleteEntriesAsync("s", [ids[2]]);
        _f.Clock.Advance(TimeSpan.FromSeconds(30));

        var history = await Streams.ReadGroupAsync("g", "c1", ["s"], [StreamId.Zero], 10, null, false, default);

        Assert.Equal(ids, history!.Single().Entries.Select(e => e.Id));
        _f.Clock.Advance(TimeSpan.FromSeconds(1));
        var pending = Streams.PendingRange("s", "g", 0, StreamId.Zero, StreamId.Max, 10, null);
        // An entry deleted from the stream is reported without fields and, as Redis does, not counted as delivered.
        Assert.Equal([(ids[0], 1_000L, 2L), (ids[1], 1_000L, 2L), (ids[2], 31_000L, 1L)], pending.Select(p => (p.Id, p.IdleMs, p.DeliveryCount)));

        await _f.RestartAsync();

        pending = Streams.PendingRange("s", "g", 0, StreamId.Zero, StreamId.Max, 10, null);
        Assert.Equal([(ids[0], 2L), (ids[1], 2L), (ids[2], 1L)], pending.Select(p => (p.Id, p.DeliveryCount)));
        var idle = await Streams.AutoClaimAsync("s", "g", "c2", 20_000, StreamId.Zero, 10, true);
        Assert.Empty(idle.Claimed);
        Assert.Equal([ids[2]], idle.Deleted);
    }

    [Fact]
    public async Task Compaction_MovesLiveEntriesAndTheyReadBackAfterRestart()
    {
        var big = new string('x', 100_000);
        var keep = await Add("s", "keep", "me");
        for (var i = 0; i < 40; i++)
        {
            await Add("t", "filler", big);
        }

        await Streams.DeleteKeysAsync(["t"]);
        await _f.Broker.CheckpointAsync();
        await _f.Broker.MaintainOnceAsync();
        await _f.RestartAsync();
        Assert.Equal(["keep", "me"], Text(Streams.Range("s", keep, keep, -1, false).Single()));
    }

    [Fact]
    public void RecordTypes_ArePinned()
    {
        // Persisted in every journal: a change here makes old data unreadable.
        var expected = new Dictionary<string, ushort>
        {
            ["StreamCreated"] = 60, ["StreamDeleted"] = 61, ["EntryAdded"] = 62, ["EntriesDeleted"] = 63, ["StreamTrimmed"] = 64,
            ["StreamIdSet"] = 65, ["GroupCreated"] = 66, ["GroupDestroyed"] = 67, ["GroupIdSet"] = 68, ["ConsumerCreated"] = 69,
            ["ConsumerDeleted"] = 70, ["EntriesDelivered"] = 71, ["EntriesAcked"] = 72, ["EntriesClaimed"] = 73,
            ["EntriesRedelivered"] = 74, ["ExpirySet"] = 75,
            ["StreamRenamed"] = 76,
        };
        var actual = Enum.GetValues<RedisRecordType>().ToDictionary(v => v.ToString(), v => (ushort)v);
        Assert.Equal(expected, actual);
        Assert.All(actual.Values, v => Assert.InRange(v, (ushort)60, (ushort)89));
    }

    private long Now => _f.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public async Task Expire_TheKeyVanishesOnTime_AndAWriteStartsAFreshStreamWithoutExpiry()
    {
        await Add("s", "f", "1");
        await Add("keep", "f", "1");
        var at = Now + 1_000;
        Assert.True(await Streams.ExpireAsync("s", at, ExpireConditions.None));
        Assert.Equal(at, Streams.ExpiryOf("s"));
        Assert.Equal(0, Streams.ExpiryOf("keep"));
        Assert.Null(Streams.ExpiryOf("missing"));
        Assert.Equal((1, 1_000L), Streams.ExpiryStats());

        _f.Clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(Streams.Exists("s"));
        _f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(Streams.Exists("s"));
        Assert.Null(Streams.ExpiryOf("s"));
        Assert.Equal(0, Streams.Length("s"));
        Assert.Equal(["keep"], Streams.Keys());
        Assert.Equal(1, Streams.Count);
        Assert.Equal((0, 0L), Streams.ExpiryStats());
        Assert.False(await Streams.ExpireAsync("s", Now + 5_000, ExpireConditions.None));
        Assert.Equal(0, await Streams.DeleteKeysAsync(["s"]));

        await Add("s", "f", "2");
        Assert.Equal(1, Streams.Length("s"));
        Assert.Equal(0, Streams.ExpiryOf("s"));
    }

    [Fact]
    public async Task Expire_Conditions_AreRedisRules_AndATimeAlreadyPastDeletesTheKey()
    {
        await Add("s", "f", "1");
        var now = Now;
        Assert.False(await Streams.ExpireAsync("s", now + 100, ExpireConditions.Xx));
        Assert.False(await Streams.ExpireAsync("s", now + 100, ExpireConditions.Gt)); // no expiry counts as infinite
        Assert.True(await Streams.ExpireAsync("s", now + 100, ExpireConditions.Lt));
        Assert.False(await Streams.ExpireAsync("s", now + 200, ExpireConditions.Nx));
        Assert.False(await Streams.ExpireAsync("s", now + 100, ExpireConditions.Xx | ExpireConditions.Gt));
        Assert.True(await Streams.ExpireAsync("s", now + 101, ExpireConditions.Xx | ExpireConditions.Gt));
        Assert.False(await Streams.ExpireAsync("s", now + 101, ExpireConditions.Lt));
        Assert.True(await Streams.ExpireAsync("s", now + 50, ExpireConditions.Lt));
        Assert.Equal(now + 50, Streams.ExpiryOf("s"));

        Assert.True(await Streams.ExpireAsync("s", null, ExpireConditions.None));
        Assert.False(await Streams.ExpireAsync("s", null, ExpireConditions.None));
        Assert.Equal(0, Streams.ExpiryOf("s"));

        Assert.True(await Streams.ExpireAsync("s", now, ExpireConditions.None));
        Assert.False(Streams.Exists("s"));
        Assert.Empty(Streams.Keys());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_KeepsExpiries_AndKeysExpiredMeanwhileStayGone(bool checkpoint)
    {
        await Add("later", "f", "1");
        await Add("soon", "f", "1");
        await Add("persisted", "f", "1");
        var later = Now + 10_000;
        await Streams.ExpireAsync("later", later, ExpireConditions.None);
        await Streams.ExpireAsync("soon", Now + 1_000, ExpireConditions.None);
        await Streams.ExpireAsync("persisted", Now + 1_000, ExpireConditions.None);
        await Streams.ExpireAsync("persisted", null, ExpireConditions.None);
        if (checkpoint)
        {
            await _f.Broker.CheckpointAsync();
        }

        _f.Clock.Advance(TimeSpan.FromSeconds(2));
        await _f.RestartAsync();

        Assert.Equal(later, Streams.ExpiryOf("later"));
        Assert.Equal(0, Streams.ExpiryOf("persisted"));
        Assert.Null(Streams.ExpiryOf("soon"));
        Assert.Equal(["later", "persisted"], Streams.Keys().Order());
        _f.Clock.Advance(TimeSpan.FromSeconds(8));
        Assert.False(Streams.Exists("later"));
    }

    [Fact]
    public async Task Maintenance_RemovesExpiredStreams_AndReleasesTheirEntries()
    {
        for (var i = 0; i < 10; i++)
        {
            await Add("s", "f", "v");
        }

        await Add("keep", "f", "v");
        await Streams.ExpireAsync("s", Now + 1_000, ExpireConditions.None);
        var before = _f.Broker.JournalStats.LiveRecords;
        _f.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, Streams.SweepExpired());

        Assert.Equal(before - 10, _f.Broker.JournalStats.LiveRecords);
        Assert.Equal(0, Streams.SweepExpired());
        Assert.Equal(["keep"], Streams.Keys());
        await _f.RestartAsync();
        Assert.Equal(["keep"], Streams.Keys());
    }

    private sealed class Watcher : IKeyWatcher
    {
        public int Modified { get; private set; }

        public void WatchedKeyModified() => Modified++;
    }

    [Fact]
    public async Task Watch_ExpireAndPersistAreChanges_TheRemovalOfAnExpiredKeyIsNot()
    {
        await Add("s", "f", "v");
        var watcher = new Watcher();
        Streams.Watch("s", watcher);
        await Streams.ExpireAsync("s", Now + 1_000, ExpireConditions.None);
        await Streams.ExpireAsync("s", null, ExpireConditions.None);
        Assert.Equal(2, watcher.Modified);
        Assert.False(await Streams.ExpireAsync("s", null, ExpireConditions.None));
        await Streams.ExpireAsync("s", Now + 1_000, ExpireConditions.None);
        _f.Clock.Advance(TimeSpan.FromSeconds(1));
        Streams.SweepExpired();
        Assert.Equal(0, await Streams.DeleteKeysAsync(["s"]));
        Assert.Equal(3, watcher.Modified);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rename_MovesEntriesGroupsAndExpiry_ReplacesTheDestination_AndARestartKeepsIt(bool checkpoint)
    {
        var first = await Add("from", "f", "1");
        await Streams.CreateGroupAsync("from", "g", StreamId.Zero, false, null);
        await Streams.ReadGroupAsync("g", "c", ["from"], [null], 10, null, false, default);
        var at = Now + 60_000;
        await Streams.ExpireAsync("from", at, ExpireConditions.None);
        await Add("to", "old", "entry");
        await Add("other", "f", "1");

        Assert.Equal(RenameOutcome.DestinationExists, await Streams.RenameAsync("from", "to", onlyIfMissing: true));
        Assert.Equal(RenameOutcome.Renamed, await Streams.RenameAsync("from", "to", onlyIfMissing: false));
        Assert.Equal(RenameOutcome.NoSuchKey, await Streams.RenameAsync("from", "x", onlyIfMissing: false));
        Assert.Equal(RenameOutcome.Renamed, await Streams.RenameAsync("other", "fresh", onlyIfMissing: true));
        if (checkpoint)
        {
            await _f.Broker.CheckpointAsync();
        }

        await _f.RestartAsync();

        Assert.Equal(["fresh", "to"], Streams.Keys().Order());
        Assert.Equal(first, Streams.Range("to", StreamId.Zero, StreamId.Max, -1, false).Single().Id);
        Assert.Equal(at, Streams.ExpiryOf("to"));
        Assert.True(Streams.HasGroup("to", "g"));
        Assert.Equal(first, Streams.PendingRange("to", "g", 0, StreamId.Zero, StreamId.Max, 10, null).Single().Id);
        await Add("from", "f", "new");
        Assert.Equal(1, Streams.Length("from"));
        Assert.Equal(0, Streams.ExpiryOf("from"));
    }

    [Fact]
    public async Task Rename_WakesAReaderBlockedOnTheMissingDestination_AndWatchersOfBothKeys()
    {
        var id = await Add("from", "f", "1");
        var reading = Streams.ReadAsync(["to"], [new ReadPosition(ReadPositionKind.Last, default)], 0, TimeSpan.Zero, default);
        Assert.False(reading.IsCompleted);
        var watcher = new Watcher();
        Streams.Watch("from", watcher);
        Streams.Watch("to", watcher);

        await Streams.RenameAsync("from", "to", onlyIfMissing: false);

        var read = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(id, read!.Single().Entries.Single().Id);
        Assert.Equal(2, watcher.Modified);
    }
}
