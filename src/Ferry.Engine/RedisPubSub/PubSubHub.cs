using System.Text;

namespace Ferry.Engine.RedisPubSub;

/// <summary>A connection that receives published messages.</summary>
public interface IPubSubSubscriber
{
    /// <summary>Queues a message for the subscriber; must not block. <paramref name="pattern"/> is set for a pattern
    /// subscription's match; <paramref name="shard"/> for a shard channel.</summary>
    void Deliver(PubSubMessage message, string? pattern, bool shard);
}

/// <summary>One published message, shared by every subscriber that receives it.</summary>
public sealed class PubSubMessage(string channel, byte[] payload)
{
    /// <summary>The channel, as a Latin-1 string of its bytes.</summary>
    public string Channel { get; } = channel;

    public byte[] Payload { get; } = payload;
}

/// <summary>
/// Redis pub/sub: channels, glob patterns and shard channels. Not persisted, as in Redis: a message reaches the
/// subscribers connected when it is published.
/// </summary>
/// <remarks>Subscriber lists are copied on write, so PUBLISH takes the lock only to fetch the arrays it delivers to,
/// and delivery (a queue append per subscriber) happens outside it.</remarks>
public sealed class PubSubHub
{
    private readonly object _gate = new();
    private readonly Dictionary<string, IPubSubSubscriber[]> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IPubSubSubscriber[]> _shardChannels = new(StringComparer.Ordinal);
    private (string Pattern, byte[] Bytes, IPubSubSubscriber[] Subscribers)[] _patterns = [];

    /// <summary>PUBLISH (or SPUBLISH): the number of subscribers that received it.</summary>
    public long Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, bool shard = false)
    {
        Span<char> chars = channel.Length <= 256 ? stackalloc char[channel.Length] : new char[channel.Length];
        Encoding.Latin1.GetChars(channel, chars);
        IPubSubSubscriber[]? direct;
        (string Pattern, byte[] Bytes, IPubSubSubscriber[] Subscribers)[] patterns;
        lock (_gate)
        {
            var map = shard ? _shardChannels : _channels;
            direct = map.Count == 0 ? null : map.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var d) ? d : null;
            patterns = shard ? [] : _patterns;
        }

        if (direct is null && patterns.Length == 0)
        {
            return 0;
        }

        PubSubMessage? built = null;
        long receivers = 0;
        if (direct is not null)
        {
            built = new PubSubMessage(new string(chars), message.ToArray());
            foreach (var s in direct)
            {
                s.Deliver(built, null, shard);
                receivers++;
            }
        }

        foreach (var (pattern, bytes, subscribers) in patterns)
        {
            if (GlobPattern.IsMatch(bytes, channel))
            {
                built ??= new PubSubMessage(new string(chars), message.ToArray());
                foreach (var s in subscribers)
                {
                    s.Deliver(built, pattern, false);
                    receivers++;
                }
            }
        }

        return receivers;
    }

    public void Subscribe(string channel, IPubSubSubscriber subscriber, bool shard = false)
    {
        lock (_gate)
        {
            var map = shard ? _shardChannels : _channels;
            map[channel] = map.TryGetValue(channel, out var list) ? [.. list, subscriber] : [subscriber];
        }
    }

    public void Unsubscribe(string channel, IPubSubSubscriber subscriber, bool shard = false)
    {
        lock (_gate)
        {
            var map = shard ? _shardChannels : _channels;
            if (map.TryGetValue(channel, out var list))
            {
                var rest = Array.FindAll(list, s => s != subscriber);
                if (rest.Length == 0)
                {
                    map.Remove(channel);
                }
                else
                {
                    map[channel] = rest;
                }
            }
        }
    }

    public void PSubscribe(string pattern, IPubSubSubscriber subscriber)
    {
        lock (_gate)
        {
            var i = Array.FindIndex(_patterns, p => p.Pattern == pattern);
            if (i < 0)
            {
                _patterns = [.. _patterns, (pattern, Encoding.Latin1.GetBytes(pattern), [subscriber])];
            }
            else
            {
                var patterns = ((string Pattern, byte[] Bytes, IPubSubSubscriber[] Subscribers)[])_patterns.Clone();
                patterns[i].Subscribers = [.. patterns[i].Subscribers, subscriber];
                _patterns = patterns;
            }
        }
    }

    public void PUnsubscribe(string pattern, IPubSubSubscriber subscriber)
    {
        lock (_gate)
        {
            var i = Array.FindIndex(_patterns, p => p.Pattern == pattern);
            if (i < 0)
            {
                return;
            }

            var rest = Array.FindAll(_patterns[i].Subscribers, s => s != subscriber);
            var patterns = ((string Pattern, byte[] Bytes, IPubSubSubscriber[] Subscribers)[])_patterns.Clone();
            if (rest.Length == 0)
            {
                _patterns = [.. patterns.Where((_, j) => j != i)];
            }
            else
            {
                patterns[i].Subscribers = rest;
                _patterns = patterns;
            }
        }
    }

    /// <summary>PUBSUB CHANNELS / SHARDCHANNELS: active channels matching the pattern (or all).</summary>
    public List<string> Channels(ReadOnlySpan<byte> pattern, bool all, bool shard)
    {
        List<string> names;
        lock (_gate)
        {
            names = [.. (shard ? _shardChannels : _channels).Keys];
        }

        if (all)
        {
            return names;
        }

        var matched = new List<string>();
        foreach (var name in names)
        {
            if (GlobPattern.IsMatch(pattern, Encoding.Latin1.GetBytes(name)))
            {
                matched.Add(name);
            }
        }

        return matched;
    }

    /// <summary>PUBSUB NUMSUB / SHARDNUMSUB.</summary>
    public long SubscriberCount(string channel, bool shard)
    {
        lock (_gate)
        {
            return (shard ? _shardChannels : _channels).TryGetValue(channel, out var list) ? list.Length : 0;
        }
    }

    /// <summary>PUBSUB NUMPAT: the number of distinct patterns subscribed.</summary>
    public long PatternCount
    {
        get
        {
            lock (_gate)
            {
                return _patterns.Length;
            }
        }
    }
}
