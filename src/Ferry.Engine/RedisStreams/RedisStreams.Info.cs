using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

public sealed partial class RedisStreams
{
    /// <summary>XINFO STREAM [FULL [COUNT n]]; null for a missing key.</summary>
    public StreamInfo? Info(string key, bool full, long count)
    {
        if (Find(key) is not { } stream)
        {
            return null;
        }

        var now = Now;
        List<(StreamId, RecordRef)> first = [], last = [], all = [];
        List<GroupInfo> groups = [];
        StreamInfo info;
        lock (stream.Gate)
        {
            CollectRange(stream, StreamId.Zero, StreamId.Max, 1, reverse: false, first);
            CollectRange(stream, StreamId.Zero, StreamId.Max, 1, reverse: true, last);
            if (full)
            {
                CollectRange(stream, StreamId.Zero, StreamId.Max, count <= 0 ? -1 : count, reverse: false, all);
                foreach (var g in OrderedGroups(stream))
                {
                    groups.Add(Describe(stream, g, now, full: true, count));
                }
            }

            info = new StreamInfo(stream.Length, stream.LastId, stream.MaxDeletedId, stream.EntriesAdded,
                first.Count > 0 ? first[0].Item1 : StreamId.Zero, stream.Groups.Count, null, null, [], groups);
        }

        return info with
        {
            FirstEntry = first.Count > 0 ? Load(first[0].Item1, first[0].Item2) : null,
            LastEntry = last.Count > 0 ? Load(last[0].Item1, last[0].Item2) : null,
            Entries = [.. all.Select(e => Load(e.Item1, e.Item2))],
        };
    }

    /// <summary>A stream's groups in Redis's order: by name, byte by byte.</summary>
    private static IEnumerable<ConsumerGroup> OrderedGroups(RedisStream stream) =>
        stream.Groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal);

    /// <summary>XINFO GROUPS; null for a missing key.</summary>
    public List<GroupInfo>? Groups(string key)
    {
        if (Find(key) is not { } stream)
        {
            return null;
        }

        lock (stream.Gate)
        {
            return [.. OrderedGroups(stream).Select(g => Describe(stream, g, Now, full: false, 0))];
        }
    }

    /// <summary>XINFO CONSUMERS.</summary>
    /// <exception cref="StreamException">NOGROUP.</exception>
    public List<ConsumerInfo> Consumers(string key, string group)
    {
        var stream = Find(key) ?? throw StreamException.NoGroup(key, group);
        lock (stream.Gate)
        {
            var g = GroupOrThrow(stream, group);
            var now = Now;
            return [.. g.Consumers.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => DescribeConsumer(c, now, false, 0))];
        }
    }

    private static GroupInfo Describe(RedisStream stream, ConsumerGroup g, long now, bool full, long count)
    {
        long? entriesRead = g.EntriesRead >= 0 ? g.EntriesRead : null;
        long? lag = null;
        if (stream.EntriesAdded == 0)
        {
            lag = 0;
        }
        else if (entriesRead is { } read && (stream.MaxDeletedId == StreamId.Zero || stream.MaxDeletedId <= g.LastId || g.LastId >= stream.LastId))
        {
            lag = Math.Max(0, stream.EntriesAdded - read);
        }

        var pel = full ? g.Pel.Take(count <= 0 ? int.MaxValue : (int)Math.Min(count, int.MaxValue))
            .Select(p => new PendingInfo(p.Id, p.Consumer.Name, p.DeliveryTime, p.DeliveryCount)).ToList() : [];
        var consumers = full ? g.Consumers.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => DescribeConsumer(c, now, true, count)).ToList() : [];
        return new GroupInfo(g.Name, g.Consumers.Count, g.Pel.Count, g.LastId, entriesRead, lag, pel, consumers);
    }

    private static ConsumerInfo DescribeConsumer(Consumer c, long now, bool full, long count)
    {
        var pel = full ? c.Pending.Take(count <= 0 ? int.MaxValue : (int)Math.Min(count, int.MaxValue))
            .Select(p => new PendingInfo(p.Id, c.Name, p.DeliveryTime, p.DeliveryCount)).ToList() : [];
        return new ConsumerInfo(c.Name, c.Pending.Count, now - c.SeenTime, c.ActiveTime < 0 ? -1 : now - c.ActiveTime, c.SeenTime, c.ActiveTime, pel);
    }
}
