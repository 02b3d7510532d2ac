using Ferry.Engine.RedisPubSub;

namespace Ferry.Redis;

internal sealed partial class RespConnection
{
    private enum SubscriptionKind
    {
        Channel,
        Pattern,
        Shard,
    }

    private readonly HashSet<string> _channels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _patterns = new(StringComparer.Ordinal);
    private readonly HashSet<string> _shardChannels = new(StringComparer.Ordinal);

    /// <summary>Channels and patterns (not shard channels): what SUBSCRIBE replies count.</summary>
    private int SubscriptionCount => _channels.Count + _patterns.Count + _shardChannels.Count;

    private ValueTask PublishCommand(bool shard)
    {
        _w.Integer(Broker.PubSub.Publish(_args[1], _args[2], shard));
        return default;
    }

    private ValueTask Subscribe(SubscriptionKind kind)
    {
        var hub = Broker.PubSub;
        var set = Set(kind);
        StartPump();
        for (var i = 1; i < _args.Count; i++)
        {
            var name = _args.String(i);
            if (kind == SubscriptionKind.Pattern && name.Length > GlobPattern.MaxLength)
            {
                _w.Error($"ERR pattern longer than {GlobPattern.MaxLength} bytes");
                continue;
            }

            if (set.Add(name))
            {
                if (kind == SubscriptionKind.Pattern)
                {
                    hub.PSubscribe(name, this);
                }
                else
                {
                    hub.Subscribe(name, this, kind == SubscriptionKind.Shard);
                }
            }

            _w.Push(3);
            _w.Bulk(kind switch { SubscriptionKind.Channel => "subscribe"u8, SubscriptionKind.Pattern => "psubscribe"u8, _ => "ssubscribe"u8 });
            _w.Bulk(name);
            _w.Integer(kind == SubscriptionKind.Shard ? _shardChannels.Count : _channels.Count + _patterns.Count);
        }

        return default;
    }

    private HashSet<string> Set(SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => _channels,
        SubscriptionKind.Pattern => _patterns,
        _ => _shardChannels,
    };

    private ValueTask Unsubscribe(SubscriptionKind kind)
    {
        var set = Set(kind);
        var names = _args.Count > 1 ? [.. Enumerable.Range(1, _args.Count - 1).Select(_args.String)] : set.ToList();
        var verb = kind switch { SubscriptionKind.Channel => "unsubscribe"u8, SubscriptionKind.Pattern => "punsubscribe"u8, _ => "sunsubscribe"u8 };
        if (names.Count == 0)
        {
            _w.Push(3);
            _w.Bulk(verb);
            _w.Null();
            _w.Integer(kind == SubscriptionKind.Shard ? _shardChannels.Count : _channels.Count + _patterns.Count);
            return default;
        }

        foreach (var name in names)
        {
            RemoveSubscription(kind, name);
            _w.Push(3);
            _w.Bulk(verb);
            _w.Bulk(name);
            _w.Integer(kind == SubscriptionKind.Shard ? _shardChannels.Count : _channels.Count + _patterns.Count);
        }

        return default;
    }

    private void RemoveSubscription(SubscriptionKind kind, string name)
    {
        if (!Set(kind).Remove(name))
        {
            return;
        }

        var hub = Broker.PubSub;
        if (kind == SubscriptionKind.Pattern)
        {
            hub.PUnsubscribe(name, this);
        }
        else
        {
            hub.Unsubscribe(name, this, kind == SubscriptionKind.Shard);
        }
    }

    private void UnsubscribeAll()
    {
        foreach (var c in _channels.ToList())
        {
            RemoveSubscription(SubscriptionKind.Channel, c);
        }

        foreach (var p in _patterns.ToList())
        {
            RemoveSubscription(SubscriptionKind.Pattern, p);
        }

        foreach (var s in _shardChannels.ToList())
        {
            RemoveSubscription(SubscriptionKind.Shard, s);
        }
    }

    private ValueTask PubSub()
    {
        var hub = Broker.PubSub;
        var sub = _args.String(1).ToUpperInvariant();
        switch (sub)
        {
            case "CHANNELS" or "SHARDCHANNELS" when _args.Count <= 3:
            {
                var channels = hub.Channels(_args.Count == 3 ? _args[2] : [], all: _args.Count == 2, shard: sub == "SHARDCHANNELS");
                _w.Array(channels.Count);
                foreach (var c in channels)
                {
                    _w.Bulk(c);
                }

                return default;
            }

            case "NUMSUB" or "SHARDNUMSUB":
                // A flat array of channel, count pairs, in RESP3 too (Redis does not answer a map here).
                _w.Array((_args.Count - 2) * 2);
                for (var i = 2; i < _args.Count; i++)
                {
                    _w.Bulk(_args[i]);
                    _w.Integer(hub.SubscriberCount(_args.String(i), sub == "SHARDNUMSUB"));
                }

                return default;
            case "NUMPAT" when _args.Count == 2:
                _w.Integer(hub.PatternCount);
                return default;
            case "NUMPAT":
                return Reply(SubcommandArity("pubsub"));
            case "CHANNELS" or "SHARDCHANNELS":
                // Their arity has no upper bound in Redis's command table: the handler refuses the extra words.
                return Reply(SubcommandSyntax("PUBSUB"));
            default:
                return Reply(UnknownSubcommand("PUBSUB"));
        }
    }
}
