using System.Numerics;
using System.Text;
using Ferry.Engine.Streams;

namespace Ferry.Engine.Tests;

public sealed class StreamTests
{
    private static readonly TimeSpan Transition = new BrokerOptions().StreamTransitionDelay;

    private static async Task<DataStream> ActiveStream(EngineFixture f, string name = "s", int shards = 2)
    {
        var stream = await f.Broker.CreateStreamAsync(name, shards, StreamMode.Provisioned, null, 500);
        Assert.Equal(StreamStatus.Creating, stream.Status);
        f.Clock.Advance(Transition);
        Assert.Equal(StreamStatus.Active, stream.Status);
        return stream;
    }

    /// <summary>Puts records (key, data) in one call.</summary>
    private static async Task<StreamPutResult[]> Put(DataStream stream, params (string Key, string Data, UInt128? Hash)[] records)
    {
        var arena = new List<byte>();
        var entries = new List<StreamPutEntry>();
        foreach (var (key, data, hash) in records)
        {
            var k = Encoding.UTF8.GetBytes(key);
            var d = Encoding.UTF8.GetBytes(data);
            entries.Add(new StreamPutEntry(arena.Count, k.Length, arena.Count + k.Length, d.Length, hash));
            arena.AddRange(k);
            arena.AddRange(d);
        }

        return await stream.PutRecordsAsync(entries, arena.ToArray());
    }

    private static Task<StreamPutResult[]> Put(DataStream stream, params string[] keys) =>
        Put(stream, [.. keys.Select(k => (k, "data-" + k, (UInt128?)null))]);

    private static List<string> ReadAll(DataStream stream, Shard shard, long from = 0)
    {
        using var read = stream.Read(shard, from, 10_000);
        return [.. read.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span))];
    }

    [Fact]
    public async Task PutRecords_HashesPartitionKeyWithMd5_ToTheShardOwningTheRange()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 4);
        var results = await Put(stream, [.. Enumerable.Range(0, 40).Select(i => "key" + i)]);
        for (var i = 0; i < 40; i++)
        {
            var md5 = System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes("key" + i));
            var hash = (UInt128)new BigInteger(md5, isUnsigned: true, isBigEndian: true);
            var shard = stream.FindShard(results[i].ShardIndex)!;
            Assert.InRange(hash, shard.StartingHashKey, shard.EndingHashKey);
        }

        Assert.True(results.Select(r => r.ShardIndex).Distinct().Count() > 1);
    }

    [Fact]
    public async Task ExplicitHashKey_OverridesThePartitionKey()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 2);
        var results = await Put(stream, ("a", "x", UInt128.MaxValue), ("a", "y", UInt128.Zero));
        Assert.Equal(1, results[0].ShardIndex);
        Assert.Equal(0, results[1].ShardIndex);
    }

    [Fact]
    public async Task SequenceNumbers_GrowWithinAShard_AsNumbersAndAsText()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 1);
        var results = await Put(stream, "a", "b", "c");
        results = [.. results, .. await Put(stream, "d")];
        var seqs = results.Select(r => stream.SequenceNumber(r.Counter, r.ShardIndex)).ToList();
        Assert.All(seqs, s => Assert.Equal(56, s.Length));
        Assert.Equal(seqs, seqs.Order(StringComparer.Ordinal));
        Assert.Equal(seqs, seqs.OrderBy(BigInteger.Parse));
        Assert.Equal(["data-a", "data-b", "data-c", "data-d"], ReadAll(stream, stream.FindShard(0)!));
    }

    [Fact]
    public async Task Iterators_StartWhereTheirTypeSays()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 1);
        var shard = stream.FindShard(0)!;
        var first = await Put(stream, "a", "b");
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var t = f.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        await Put(stream, "c");
        var latest = stream.StartCounter(shard, IteratorStart.Latest, null, null);
        await Put(stream, "d");
        var seqB = stream.SequenceNumber(first[1].Counter, 0);

        Assert.Equal(["data-a", "data-b", "data-c", "data-d"], ReadAll(stream, shard, stream.StartCounter(shard, IteratorStart.TrimHorizon, null, null)));
        Assert.Equal(["data-d"], ReadAll(stream, shard, latest));
        Assert.Equal(["data-b", "data-c", "data-d"], ReadAll(stream, shard, stream.StartCounter(shard, IteratorStart.AtSequenceNumber, seqB, null)));
        Assert.Equal(["data-c", "data-d"], ReadAll(stream, shard, stream.StartCounter(shard, IteratorStart.AfterSequenceNumber, seqB, null)));
        Assert.Equal(["data-c", "data-d"], ReadAll(stream, shard, stream.StartCounter(shard, IteratorStart.AtTimestamp, null, t)));
        var e = Assert.Throws<EngineException>(() => stream.StartCounter(shard, IteratorStart.AtSequenceNumber, "123", null));
        Assert.Equal(EngineError.InvalidArgument, e.Error);
    }

    [Fact]
    public async Task Iterator_RoundTrips_RejectsTampering_AndExpiresAfterFiveMinutes()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 1);
        var iterator = stream.EncodeIterator(0, 42);
        var (s, shard, counter) = f.Broker.ResolveIterator(iterator);
        Assert.Same(stream, s);
        Assert.Equal(0, shard.Index);
        Assert.Equal(42, counter);

        var bytes = Convert.FromBase64String(iterator);
        bytes[21] ^= 1;
        Assert.Equal(EngineError.InvalidArgument, Assert.Throws<EngineException>(() => f.Broker.ResolveIterator(Convert.ToBase64String(bytes))).Error);
        Assert.Equal(EngineError.InvalidArgument, Assert.Throws<EngineException>(() => f.Broker.ResolveIterator("garbage")).Error);

        f.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromMilliseconds(1));
        Assert.Equal(EngineError.ExpiredIterator, Assert.Throws<EngineException>(() => f.Broker.ResolveIterator(iterator)).Error);
    }

    [Fact]
    public async Task Read_ContinuesFromNextCounter_AndReportsMillisBehind()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 1);
        var shard = stream.FindShard(0)!;
        await Put(stream, [.. Enumerable.Range(0, 10).Select(i => "k" + i)]);
        f.Clock.Advance(TimeSpan.FromSeconds(3));
        using var first = stream.Read(shard, 0, 4);
        Assert.Equal(4, first.Records.Count);
        Assert.Equal(3000, first.MillisBehindLatest);
        using var rest = stream.Read(shard, first.NextCounter!.Value, 100);
        Assert.Equal(6, rest.Records.Count);
        Assert.Equal(0, rest.MillisBehindLatest);
        Assert.NotNull(rest.NextCounter);
    }

    [Fact]
    public async Task Split_ClosesTheParent_ChildrenTakeNewRecords_AndReadersGetChildShardsAtTheEnd()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 1);
        var before = await Put(stream, "a", "b", "c");
        await stream.SplitShardAsync("shardId-000000000000", UInt128.One << 127);
        Assert.Equal(StreamStatus.Updating, stream.Status);
        await Assert.ThrowsAsync<EngineException>(() => stream.SplitShardAsync("shardId-000000000001", UInt128.One << 126));
        f.Clock.Advance(Transition);
        var after = await Put(stream, "a", "b", "c");

        var parent = stream.FindShard(0)!;
        Assert.False(parent.IsOpen);
        Assert.True(parent.EndingCounter >= before.Max(r => r.Counter));
        Assert.All(after, r => Assert.NotEqual(0, r.ShardIndex));
        Assert.All(after, r => Assert.True(r.Counter > parent.EndingCounter));
        var children = stream.ChildrenOf(parent);
        Assert.Equal([1, 2], children.Select(c => c.Index));
        Assert.All(children, c => Assert.Equal(0, c.ParentIndex));

        using var read = stream.Read(parent, 0, 100);
        Assert.Equal(3, read.Records.Count);
        Assert.Null(read.NextCounter);
        Assert.Equal([1, 2], read.ChildShards!.Select(c => c.Index));

        var all = children.SelectMany(c => ReadAll(stream, c)).Concat(ReadAll(stream, parent)).Order().ToList();
        Assert.Equal(["data-a", "data-a", "data-b", "data-b", "data-c", "data-c"], all);
    }

    [Fact]
    public async Task Merge_JoinsAdjacentShards_WithBothAsParents()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 3);
        await Assert.ThrowsAsync<EngineException>(() => stream.MergeShardsAsync("shardId-000000000000", "shardId-000000000002"));
        await stream.MergeShardsAsync("shardId-000000000001", "shardId-000000000000");
        var child = stream.FindShard(3)!;
        Assert.Equal(1, child.ParentIndex);
        Assert.Equal(0, child.AdjacentParentIndex);
        Assert.Equal(UInt128.Zero, child.StartingHashKey);
        Assert.Equal(stream.FindShard(1)!.EndingHashKey, child.EndingHashKey);
        Assert.Equal(2, stream.OpenShardCount);
    }

    [Theory]
    [InlineData(2, 4)]
    [InlineData(4, 2)]
    [InlineData(3, 5)]
    [InlineData(4, 3)]
    public async Task UpdateShardCount_EndsWithUniformOpenShards_WithAtMostTwoParentsEach(int from, int to)
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: from);
        await Put(stream, [.. Enumerable.Range(0, 50).Select(i => "k" + i)]);
        await stream.UpdateShardCountAsync(to);
        var open = stream.Shards.Where(s => s.IsOpen).OrderBy(s => s.StartingHashKey).ToList();
        Assert.Equal(to, open.Count);
        Assert.Equal(UInt128.Zero, open[0].StartingHashKey);
        Assert.Equal(UInt128.MaxValue, open[^1].EndingHashKey);
        for (var i = 1; i < open.Count; i++)
        {
            Assert.Equal(open[i - 1].EndingHashKey + 1, open[i].StartingHashKey);
        }

        var widths = open.Select(s => s.EndingHashKey - s.StartingHashKey).ToList();
        Assert.True(widths.Max() - widths.Min() <= (UInt128)to);
        f.Clock.Advance(Transition);
        await Put(stream, [.. Enumerable.Range(0, 50).Select(i => "k" + i)]);
        var total = stream.Shards.Sum(s => ReadAll(stream, s).Count);
        Assert.Equal(100, total);
    }

    [Fact]
    public async Task Retention_TrimsExpiredRecords_AndReleasesTheirJournalRecords()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 1);
        var shard = stream.FindShard(0)!;
        await Put(stream, "old1", "old2");
        var liveBefore = f.Broker.Journal.GetStats().LiveRecords;
        f.Clock.Advance(TimeSpan.FromHours(23));
        await Put(stream, "new");
        f.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(["data-new"], ReadAll(stream, shard));
        await f.Broker.MaintainOnceAsync();
        Assert.Equal(liveBefore, f.Broker.Journal.GetStats().LiveRecords);
        Assert.Equal(["data-new"], ReadAll(stream, shard));

        f.Clock.Advance(TimeSpan.FromHours(24));
        await f.Broker.MaintainOnceAsync();
        Assert.Empty(ReadAll(stream, shard));
        Assert.Equal(liveBefore - 1, f.Broker.Journal.GetStats().LiveRecords);
    }

    /// <summary>Puts <paramref name="count"/> records of 100 bytes in calls of 500.</summary>
    private static async Task PutMany(DataStream stream, int count, string prefix)
    {
        for (var done = 0; done < count; done += 500)
        {
            await Put(stream, [.. Enumerable.Range(done, Math.Min(500, count - done)).Select(i => (prefix + i, new string('x', 100), (UInt128?)null))]);
        }
    }

    [Fact]
    public async Task ACheckpointCapture_WrittenAfterMorePutsAndRetention_IsTheStateAtTheCapture()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 2);
        await PutMany(stream, 10_000, "old");
        using var atCapture = new Internal.PayloadWriter();
        stream.WriteSnapshot(atCapture);
        var write = stream.CaptureSnapshot();

        // More records, then retention drops the first ones, whole chunks of the index with them.
        f.Clock.Advance(TimeSpan.FromHours(23));
        await PutMany(stream, 3_000, "new");
        f.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await f.Broker.MaintainOnceAsync();
        Assert.All(stream.Shards, s => Assert.True(s.Entries.First >= 4_096, "retention should have trimmed a chunk"));

        using var later = new Internal.PayloadWriter();
        write(later);
        Assert.Equal(atCapture.WrittenSpan.ToArray(), later.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task Checkpoints_WaitForTheJournalToGrowByFourTimesTheLastSnapshot()
    {
        var options = new BrokerOptions { CheckpointEveryBytes = 64 * 1024 };
        await using var f = await EngineFixture.StartAsync(options);
        var stream = await ActiveStream(f, shards: 1);
        await PutMany(stream, 20_000, "k");
        await f.Broker.CheckpointAsync();
        var snapshot = f.Broker.LastSnapshotBytes;
        Assert.True(snapshot > 20_000 * 32, $"the snapshot holds every entry ({snapshot} bytes)");
        Assert.Equal(4 * snapshot, f.Broker.CheckpointThreshold);

        // Grown past CheckpointEveryBytes, but not by four snapshots: no checkpoint.
        var marked = f.Broker.LastCheckpointTail;
        await PutMany(stream, 1_000, "a");
        Assert.InRange(f.Broker.Journal.Tail - marked, options.CheckpointEveryBytes, f.Broker.CheckpointThreshold - 1);
        await f.Broker.MaintainOnceAsync();
        Assert.Equal(marked, f.Broker.LastCheckpointTail);

        while (f.Broker.Journal.Tail - marked < f.Broker.CheckpointThreshold)
        {
            await PutMany(stream, 2_000, "b");
        }

        await f.Broker.MaintainOnceAsync();
        Assert.True(f.Broker.LastCheckpointTail > marked);

        // The threshold survives a restart: it comes from the checkpoint read at open.
        await f.RestartAsync();
        Assert.Equal(4 * f.Broker.LastSnapshotBytes, f.Broker.CheckpointThreshold);
        Assert.True(f.Broker.LastSnapshotBytes > snapshot);
    }

    [Fact]
    public async Task Restart_WithoutCheckpoint_KeepsRecordsSequenceNumbersArrivalAndLineage() => await RestartKeepsEverything(checkpoint: false);

    [Fact]
    public async Task Restart_AfterCheckpoint_KeepsRecordsSequenceNumbersArrivalAndLineage() => await RestartKeepsEverything(checkpoint: true);

    private static async Task RestartKeepsEverything(bool checkpoint)
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f, shards: 2);
        await Put(stream, [.. Enumerable.Range(0, 20).Select(i => "k" + i)]);
        await stream.SplitShardAsync("shardId-000000000000", UInt128.One << 126);
        f.Clock.Advance(Transition);
        await stream.UpdateAsync(s => s.SetRetention(48));
        if (checkpoint)
        {
            await f.Broker.CheckpointAsync();
        }

        var last = await Put(stream, [.. Enumerable.Range(20, 20).Select(i => "k" + i)]);
        var expected = stream.Shards.ToDictionary(s => s.Index, s =>
        {
            using var r = stream.Read(s, 0, 1000);
            return r.Records.Select(x => (stream.SequenceNumber(x.Counter, s.Index), x.ArrivedAt, Encoding.UTF8.GetString(x.Data.Span))).ToList();
        });

        await f.RestartAsync();
        var again = f.Broker.FindStream("s")!;
        Assert.Equal(48, again.RetentionHours);
        Assert.Equal(4, again.Shards.Count);
        Assert.Equal(0, again.FindShard(2)!.ParentIndex);
        foreach (var s in again.Shards)
        {
            using var r = again.Read(s, 0, 1000);
            Assert.Equal(expected[s.Index], r.Records.Select(x => (again.SequenceNumber(x.Counter, s.Index), x.ArrivedAt, Encoding.UTF8.GetString(x.Data.Span))).ToList());
        }

        var next = await Put(again, "after-restart");
        Assert.True(next[0].Counter > last.Max(x => x.Counter));
    }

    [Fact]
    public async Task DeleteStream_ReleasesItsRecords_AndIsDescribedAsDeletingForAMoment()
    {
        await using var f = await EngineFixture.StartAsync();
        var stream = await ActiveStream(f);
        var live = f.Broker.Journal.GetStats().LiveRecords;
        await Put(stream, "a", "b", "c");
        await f.Broker.DeleteStreamAsync(stream, enforceConsumerDeletion: false);
        Assert.Equal(live, f.Broker.Journal.GetStats().LiveRecords);
        Assert.Equal(StreamStatus.Deleting, f.Broker.FindStream("s")!.Status);
        f.Clock.Advance(Transition);
        Assert.Null(f.Broker.FindStream("s"));
        await f.RestartAsync();
        Assert.Null(f.Broker.FindStream("s"));
        Assert.Empty(f.Broker.ListStreams());
    }

    [Fact]
    public async Task CreateStream_RefusesADuplicateName_AndTheShardLimit()
    {
        await using var f = await EngineFixture.StartAsync();
        await ActiveStream(f);
        Assert.Equal(EngineError.ResourceInUse, (await Assert.ThrowsAsync<EngineException>(() => f.Broker.CreateStreamAsync("s", 1, StreamMode.Provisioned, null, 500))).Error);
        Assert.Equal(EngineError.LimitExceeded, (await Assert.ThrowsAsync<EngineException>(() => f.Broker.CreateStreamAsync("t", 499, StreamMode.Provisioned, null, 500))).Error);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 1)]
    public async Task CreateStream_AShardCountThatOverflowsTheAccountsTotal_IsRefusedByTheLimit(int shardCount)
    {
        // Two shards open plus int.MaxValue wrapped to a negative total and passed the check: the broker then built
        // billions of shards (gigabytes, and a hang) for one request.
        await using var f = await EngineFixture.StartAsync();
        await ActiveStream(f);
        var create = Task.Run(() => f.Broker.CreateStreamAsync("t", shardCount, StreamMode.Provisioned, null, 500));
        Assert.Same(create, await Task.WhenAny(create, Task.Delay(TimeSpan.FromSeconds(10))));
        var refused = await Assert.ThrowsAsync<EngineException>(() => create);
        Assert.Equal(EngineError.LimitExceeded, refused.Error);
        Assert.Contains($"Current shard count for the account: 2. Limit: 500. Number of additional shards that would have resulted from this request: {shardCount}.", refused.Message, StringComparison.Ordinal);
        Assert.Null(f.Broker.FindStream("t"));
    }
}
