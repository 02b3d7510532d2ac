using System.Runtime.CompilerServices;
using Ferry.Engine.Queues;
using Ferry.Storage;

namespace Ferry.Engine.Tests;

public class MessageTableTests
{
    private const int Chunk = MessageTable.ChunkSize;

    private static void Put(MessageTable table, long seq, long sentAt = 0)
    {
        ref var entry = ref table.Add(seq);
        entry.Body = new RecordRef(seq * 100, (int)(seq % 1000) + 1);
        entry.SentAt = sentAt == 0 ? seq : sentAt;
        entry.State = MessageState.Ready;
    }

    private static List<long> Walk(MessageTable table)
    {
        var seqs = new List<long>();
        foreach (ref var entry in table)
        {
            seqs.Add(entry.Seq);
        }

        return seqs;
    }

    [Fact]
    public void Find_ReturnsTheEntryByReference_AndNothingForAbsentSequences()
    {
        var table = new MessageTable();
        Put(table, 7);

        ref var found = ref table.Find(7);
        Assert.False(Unsafe.IsNullRef(ref found));
        Assert.Equal(new RecordRef(700, 8), found.Body);
        found.ReceiveCount = 3;
        Assert.Equal(3, table.Find(7).ReceiveCount);

        Assert.True(Unsafe.IsNullRef(ref table.Find(6)));
        Assert.True(Unsafe.IsNullRef(ref table.Find(8)));
        Assert.True(Unsafe.IsNullRef(ref table.Find(7 + Chunk)));
        Assert.True(Unsafe.IsNullRef(ref table.Find(0)));
        Assert.False(table.Contains(0));
        Assert.True(table.Contains(7));
    }

    [Fact]
    public void Remove_ReturnsACopy_AndLeavesNoTrace()
    {
        var table = new MessageTable();
        Put(table, 1);
        Put(table, 2);
        table.Find(2).ReceiveCount = 5;

        Assert.True(table.Remove(2, out var removed));
        Assert.Equal(2, removed.Seq);
        Assert.Equal(5, removed.ReceiveCount);
        Assert.Equal(new RecordRef(200, 3), removed.Body);
        Assert.False(table.Contains(2));
        Assert.False(table.Remove(2, out _));
        Assert.Equal(1, table.Count);
        Assert.Equal([1L], Walk(table));
    }

    [Fact]
    public void Add_RefusesADuplicateAndSequenceZero()
    {
        var table = new MessageTable();
        Put(table, 3);
        Assert.Throws<InvalidOperationException>(() => table.Add(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Add(0));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Iteration_IsInSequenceOrder_AcrossChunksAddedOutOfOrder()
    {
        var table = new MessageTable();
        long[] seqs = [(5 * Chunk) + 3, 1, (2 * Chunk) + 100, Chunk - 1, Chunk, (2 * Chunk) + 99, 2];
        foreach (var seq in seqs)
        {
            Put(table, seq);
        }

        Assert.Equal(seqs.Order(), Walk(table));
        Assert.Equal(seqs.Order(), table.SeqsInOrder());
        Assert.Equal(seqs.Where(s => s <= Chunk).Order(), table.SeqsInOrder(upTo: Chunk));
        Assert.Equal(seqs.Length, table.Count);
    }

    [Fact]
    public void AnEmptiedChunk_IsReusedClean_ByThisTableAndOthers()
    {
        // Fill and drain several chunks, so that they go back to the pool, then fill new tables from it.
        var first = new MessageTable();
        for (long seq = 1; seq <= 3 * Chunk; seq++)
        {
            Put(first, seq);
            first.Find(seq).Group = new FifoGroup("g");
            first.Find(seq).ReceiveCount = 9;
        }

        for (long seq = 1; seq <= 3 * Chunk; seq++)
        {
            Assert.True(first.Remove(seq, out _));
        }

        Assert.Equal(0, first.Count);
        Assert.Empty(Walk(first));

        var second = new MessageTable();
        for (long seq = 1; seq <= 4 * Chunk; seq += 7)
        {
            Put(second, seq);
        }

        // Only what was added is there, with no field left over from the chunks' earlier use.
        var expected = Enumerable.Range(0, (4 * Chunk / 7) + 1).Select(i => 1 + (7L * i)).Where(s => s <= 4 * Chunk).ToList();
        Assert.Equal(expected, Walk(second));
        foreach (ref var entry in second)
        {
            Assert.Null(entry.Group);
            Assert.Equal(0, entry.ReceiveCount);
            Assert.Equal(MessageState.Ready, entry.State);
        }

        // The first table still works after giving its chunks away.
        Put(first, (3 * Chunk) + 1);
        Assert.Equal([(3L * Chunk) + 1], Walk(first));
        Assert.True(Unsafe.IsNullRef(ref first.Find(1)));
    }

    [Fact]
    public void Clear_EmptiesTheTable_AndItsChunksComeBackEmpty()
    {
        var table = new MessageTable();
        for (long seq = 1; seq <= 2 * Chunk; seq += 3)
        {
            Put(table, seq);
        }

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.Empty(Walk(table));
        Assert.False(table.Contains(1));

        var next = new MessageTable();
        Put(next, 2);
        Assert.Equal([2L], Walk(next));
        Put(table, 4);
        Assert.Equal([4L], Walk(table));
    }

    [Fact]
    public void AMillionEntries_AreValuesInAFewHundredArrays()
    {
        // The point of the table: a backlog costs the garbage collector arrays, not one object per message.
        var table = new MessageTable();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long seq = 1; seq <= 1_000_000; seq++)
        {
            Put(table, seq);
        }

        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / 1_000_000.0;
        Assert.InRange(perMessage, 0, Unsafe.SizeOf<MessageEntry>() + 4);
        Assert.Equal(1_000_000, table.Count);
        Assert.Equal(500_000, table.SeqsInOrder(upTo: 500_000).Count);
    }
}
