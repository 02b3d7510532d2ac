using Ferry.Engine.RedisStreams;
using Ferry.Storage;

namespace Ferry.Engine.Tests;

/// <summary>The slot storage of one Redis stream: a growing array, then chunks, checked against a plain list.</summary>
public sealed class RedisStreamSlotsTests
{
    private const int Chunk = RedisStream.ChunkSize;

    /// <summary>A plain model: every slot ever appended and not trimmed, deleted ones marked.</summary>
    private sealed class Model
    {
        public List<(StreamId Id, bool Deleted)> Slots { get; } = [];

        public long Live => Slots.Count(s => !s.Deleted);

        public int LowerBound(StreamId id)
        {
            int lo = 0, hi = Slots.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (Slots[mid].Id < id)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }

    private static StreamId IdOf(long n) => new((ulong)(n / 3), (ulong)(n % 3));

    private static RecordRef RefOf(StreamId id) => new((long)(id.Ms * 3 + id.Seq) * 64, 7);

    private static void AssertSame(Model model, RedisStream stream)
    {
        // Slots are compared live only: a deleted slot may be kept or dropped.
        var live = model.Slots.Where(s => !s.Deleted).Select(s => s.Id).ToList();
        Assert.Equal(live, stream.LiveSlots().Select(s => s.Id).ToList());
        Assert.Equal(model.Live, stream.Length);
        Assert.All(stream.LiveSlots(), s => Assert.Equal(RefOf(s.Id), s.Record));
        Assert.Equal(live.Count == 0 ? null : (live[0], live[^1]), stream.Bounds());
    }

    /// <summary>Random appends, deletes, trims and searches over streams that cross several chunks.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomOperations_MatchAPlainList(int seed)
    {
        var random = new Random(seed);
        var stream = new RedisStream(1, "s");
        var model = new Model();
        long next = 1;
        for (var step = 0; step < 150; step++)
        {
            var op = random.Next(10);
            if (op < 5)
            {
                // A run of appends, up to a chunk and a half.
                var n = random.Next(1, Chunk * 3 / 2);
                for (var i = 0; i < n; i++)
                {
                    var id = IdOf(next++);
                    stream.Append(id, RefOf(id), committed: true);
                    model.Slots.Add((id, false));
                }
            }
            else if (op < 8 && model.Live > 0)
            {
                // Deletes: single ids, or a run of neighbours (which empties whole chunks).
                var run = random.Next(2) == 0 ? 1 : random.Next(1, Chunk * 2);
                var liveIds = model.Slots.Where(s => !s.Deleted).Select(s => s.Id).ToList();
                var start = random.Next(liveIds.Count);
                foreach (var id in liveIds.Skip(start).Take(run))
                {
                    var index = stream.IndexOf(id);
                    Assert.True(index >= 0);
                    Assert.Equal(id, stream.Slot(index).Id);
                    stream.Delete(index);
                    var m = model.LowerBound(id);
                    model.Slots[m] = (id, true);
                    Assert.Equal(-1, stream.IndexOf(id));
                }
            }
            else if (op == 8 && model.Slots.Count > 0)
            {
                // Trimming: everything before an id.
                var cut = model.Slots[random.Next(model.Slots.Count)].Id;
                var expected = model.Slots.TakeWhile(s => s.Id < cut).Count(s => !s.Deleted);
                var released = new List<RecordRef>();
                var removed = stream.RemoveBefore(stream.LowerBound(cut), released.Add);
                Assert.Equal(expected, removed);
                Assert.Equal(model.Slots.TakeWhile(s => s.Id < cut).Where(s => !s.Deleted).Select(s => RefOf(s.Id)), released);
                model.Slots.RemoveAll(s => s.Id < cut);
            }
            else if (model.Slots.Count > 0)
            {
                // Searches from the start and from the end agree, for present ids, gaps and both ends.
                var live = model.Slots.Where(s => !s.Deleted).Select(s => s.Id).ToList();
                for (var probe = 0; probe < 20; probe++)
                {
                    var target = IdOf(random.NextInt64(0, next + 3));
                    var lower = stream.LowerBound(target);
                    Assert.Equal(lower, stream.LowerBoundFromEnd(target));
                    var firstAtOrAfter = live.FirstOrDefault(id => id >= target, StreamId.Max);
                    Assert.Equal(firstAtOrAfter, lower < stream.SlotCount ? NextLive(stream, lower) : StreamId.Max);
                }
            }

            AssertSame(model, stream);
        }
    }

    private static StreamId NextLive(RedisStream stream, int index)
    {
        for (var i = index; i < stream.SlotCount; i++)
        {
            if (!stream.Slot(i).Deleted)
            {
                return stream.Slot(i).Id;
            }
        }

        return StreamId.Max;
    }

    [Fact]
    public void ALongStream_GrowsAChunkAtATime_AndFindsEveryEntry()
    {
        var stream = new RedisStream(1, "s");
        const int count = Chunk * 5 + 17;
        for (long n = 0; n < count; n++)
        {
            Assert.Equal((int)n, stream.Append(IdOf(n), RefOf(IdOf(n)), committed: false));
        }

        Assert.Equal(6, stream.ChunkCount);
        Assert.Equal(count, stream.SlotCount);
        for (long n = 0; n < count; n += 97)
        {
            Assert.Equal((int)n, stream.LowerBound(IdOf(n)));
            Assert.Equal((int)n, stream.LowerBoundFromEnd(IdOf(n)));
            Assert.Equal((int)n, stream.IndexOf(IdOf(n)));
        }

        Assert.Equal(count, stream.LowerBoundFromEnd(IdOf(count)));
        Assert.Equal(0, stream.LowerBoundFromEnd(StreamId.Zero));
    }

    [Fact]
    public void ACappedStream_KeepsItsMemory()
    {
        // XADD MAXLEN 1000, as a stream trims itself: at most two chunks, whatever went through it.
        var stream = new RedisStream(1, "s");
        for (long n = 0; n < Chunk * 20L; n++)
        {
            stream.Append(IdOf(n), RefOf(IdOf(n)), committed: true);
            if (stream.SlotCount > 1000)
            {
                stream.RemoveBefore(stream.SlotCount - 1000, _ => { });
            }

            Assert.True(stream.ChunkCount <= 2);
        }

        Assert.Equal(1000, stream.Length);
        Assert.Equal(IdOf(Chunk * 20L - 1000), stream.Bounds()!.Value.First);
    }

    [Fact]
    public void AChunkWhoseEveryEntryIsDeleted_IsReleased()
    {
        var stream = new RedisStream(1, "s");
        for (long n = 0; n < Chunk * 4; n++)
        {
            stream.Append(IdOf(n), RefOf(IdOf(n)), committed: true);
        }

        Assert.Equal(4, stream.ChunkCount);

        // Every entry of the second chunk, in an order that is not the stream's.
        var random = new Random(9);
        foreach (var n in Enumerable.Range(Chunk, Chunk).OrderBy(_ => random.Next()))
        {
            stream.Delete(stream.IndexOf(IdOf(n)));
        }

        Assert.Equal(3, stream.ChunkCount);
        Assert.Equal(Chunk * 3, stream.Length);
        Assert.Equal(Chunk * 3, stream.SlotCount);
        Assert.Equal(-1, stream.IndexOf(IdOf(Chunk)));
        Assert.Equal(Chunk, stream.IndexOf(IdOf(Chunk * 2)));
        Assert.Equal(Chunk, stream.LowerBound(IdOf(Chunk + 5)));

        // Deleting the first entries drops the first chunk; deleting them all leaves an empty stream of one chunk.
        for (long n = 0; n < Chunk; n++)
        {
            stream.Delete(0);
        }

        Assert.Equal(2, stream.ChunkCount);
        Assert.Equal(IdOf(Chunk * 2), stream.Bounds()!.Value.First);
        while (stream.Length > 0)
        {
            stream.Delete(stream.IndexOf(stream.Bounds()!.Value.Last));
        }

        Assert.Equal(1, stream.ChunkCount);
        Assert.Null(stream.Bounds());
        Assert.Equal(0, stream.Append(IdOf(Chunk * 9), RefOf(IdOf(Chunk * 9)), committed: true));
    }
}
