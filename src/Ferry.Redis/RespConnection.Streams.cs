using Ferry.Engine.RedisStreams;

namespace Ferry.Redis;

internal sealed partial class RespConnection
{
    private const string InvalidId = "ERR Invalid stream ID specified as stream command argument";

    /// <summary>An id as XADD, XDEL, XSETID and XACK take it: "ms" (sequence 0) or "ms-seq", no - or +.</summary>
    private StreamId StrictId(int index) =>
        StreamId.TryParse(_args[index], 0, out var id) ? id : throw Fail(InvalidId);

    /// <summary>A range bound: - and + (not exclusive), "(" for exclusive, a missing sequence as 0 or max.</summary>
    private StreamId Bound(int index, bool start)
    {
        var text = _args[index];
        if (text.Length == 1 && text[0] == '-')
        {
            return StreamId.Zero;
        }

        if (text.Length == 1 && text[0] == '+')
        {
            return StreamId.Max;
        }

        var exclusive = text.Length > 0 && text[0] == '(';
        if (exclusive)
        {
            text = text[1..];
        }

        if (!StreamId.TryParse(text, start ? 0 : ulong.MaxValue, out var id))
        {
            throw Fail(InvalidId);
        }

        if (!exclusive)
        {
            return id;
        }

        if (start)
        {
            return id.TryIncrement(out var next) ? next : throw Fail("ERR invalid start ID for the interval");
        }

        return id.TryDecrement(out var previous) ? previous : throw Fail("ERR invalid end ID for the interval");
    }

    /// <summary>Parses [MAXLEN|MINID [=|~] threshold [LIMIT n]] from <paramref name="i"/>; returns at the first
    /// argument that is none of them.</summary>
    private TrimSpec ParseTrim(ref int i, bool xadd, out bool noMkStream)
    {
        noMkStream = false;
        var strategy = TrimStrategy.None;
        long maxLen = 0, limit = -1;
        var minId = StreamId.Zero;
        var approximate = false;
        for (; i < _args.Count; i++)
        {
            var more = _args.Count - i - 1;
            if (xadd && _args.Is(i, "NOMKSTREAM"u8))
            {
                noMkStream = true;
            }
            else if ((_args.Is(i, "MAXLEN"u8) || _args.Is(i, "MINID"u8)) && more >= 1)
            {
                if (strategy != TrimStrategy.None)
                {
                    throw Fail("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                }

                var isMaxLen = _args.Is(i, "MAXLEN"u8);
                var next = _args[i + 1];
                approximate = false;

                // As Redis reads it: "~" or "=" is a modifier only when a value follows; alone, it is the value.
                if (more >= 2 && next.Length == 1 && (next[0] == '~' || next[0] == '='))
                {
                    approximate = next[0] == '~';
                    i++;
                }

                i++;
                if (isMaxLen)
                {
                    maxLen = Integer(i);
                    if (maxLen < 0)
                    {
                        throw Fail("ERR The MAXLEN argument must be >= 0.");
                    }

                    strategy = TrimStrategy.MaxLen;
                }
                else
                {
                    minId = StreamId.TryParse(_args[i], 0, out var id) ? id : throw Fail(InvalidId);
                    strategy = TrimStrategy.MinId;
                }
            }
            else if (_args.Is(i, "LIMIT"u8) && more >= 1)
            {
                limit = Integer(++i);
                if (limit < 0)
                {
                    throw Fail("ERR The LIMIT argument must be >= 0.");
                }
            }
            else
            {
                break;
            }
        }

        if (limit >= 0 && strategy == TrimStrategy.None)
        {
            throw Fail("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        }

        if (limit >= 0 && !approximate)
        {
            throw Fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
        }

        return new TrimSpec(strategy, maxLen, minId, approximate, Math.Max(0, limit));
    }

    private ValueTask XAdd()
    {
        ValueTask<StreamId?> added;
        try
        {
            var i = 2;
            var trim = ParseTrim(ref i, xadd: true, out var noMkStream);
            var fields = _args.Count - i - 1;
            if (fields <= 0 || fields % 2 != 0)
            {
                throw Fail("ERR wrong number of arguments for 'xadd' command");
            }

            var text = _args[i];
            AddIdSpec spec;
            if (text.Length == 1 && text[0] == '*')
            {
                spec = new AddIdSpec(true, false, default);
            }
            else if (text.Length > 2 && text[^1] == '*' && text[^2] == '-')
            {
                spec = StreamId.TryParse(text[..^2], 0, out var ms) ? new AddIdSpec(false, true, ms) : throw Fail(InvalidId);
            }
            else
            {
                spec = new AddIdSpec(false, false, StrictId(i));
            }

            added = Streams.AddAsync(_args[1], spec, noMkStream, trim, _args.From(i + 1));
        }
        catch (StreamException e)
        {
            return Reply(e.Message);
        }

        if (_deferred.Count == 0 && added.IsCompletedSuccessfully)
        {
            if (added.Result is { } id)
            {
                _w.Id(id);
            }
            else
            {
                _w.Null();
            }

            return default;
        }

        _deferred.Enqueue(new Deferred { Kind = DeferredKind.AddedId, Added = added });
        return default;
    }

    private ValueTask XAck()
    {
        ValueTask<long> acked;
        try
        {
            var key = _args.String(1);
            var group = _args.String(2);
            var ids = new StreamId[_args.Count - 3];
            var valid = true;
            for (var i = 3; i < _args.Count && valid; i++)
            {
                valid = StreamId.TryParse(_args[i], 0, out ids[i - 3]);
            }

            if (valid)
            {
                acked = Streams.AckAsync(key, group, ids);
            }
            else if (!Streams.HasGroup(key, group))
            {
                // Redis answers 0 for a missing key or group before it reads the ids.
                acked = ValueTask.FromResult(0L);
            }
            else
            {
                throw Fail(InvalidId);
            }
        }
        catch (StreamException e)
        {
            return Reply(e.Message);
        }

        if (_deferred.Count == 0 && acked.IsCompletedSuccessfully)
        {
            _w.Integer(acked.Result);
            return default;
        }

        _deferred.Enqueue(new Deferred { Kind = DeferredKind.Count, Count = acked });
        return default;
    }

    private ValueTask XLen()
    {
        _w.Integer(Streams.Length(_args.String(1)));
        return default;
    }

    private ValueTask XRange(bool reverse)
    {
        var start = Bound(reverse ? 3 : 2, start: true);
        var end = Bound(reverse ? 2 : 3, start: false);
        long count = -1;
        if (_args.Count > 4)
        {
            if (_args.Count != 6 || !_args.Is(4, "COUNT"u8))
            {
                return Reply("ERR syntax error");
            }

            count = Math.Max(0, Integer(5));
        }

        var key = _args.String(1);
        if (count == 0 && Streams.Exists(key))
        {
            // Redis's answer to COUNT 0 (or a negative count) on an existing stream.
            _w.NullArray();
            return default;
        }

        _w.Entries(Streams.Range(key, start, end, count, reverse));
        return default;
    }

    private async ValueTask XRead(bool group)
    {
        string? groupName = null, consumer = null;
        long count = 0;
        TimeSpan? block = null;
        var noAck = false;
        var i = 1;
        var streamsAt = -1;
        for (; i < _args.Count; i++)
        {
            var more = _args.Count - i - 1;
            if (_args.Is(i, "COUNT"u8) && more >= 1)
            {
                count = Math.Max(0, Integer(++i));
            }
            else if (_args.Is(i, "BLOCK"u8) && more >= 1)
            {
                var ms = Integer(++i, "ERR timeout is not an integer or out of range");
                if (ms < 0)
                {
                    throw Fail("ERR timeout is negative");
                }

                // Inside EXEC nothing blocks: the read answers at once, as redis-server's does.
                block = _inExec ? null : TimeSpan.FromMilliseconds(ms);
            }
            else if (_args.Is(i, "STREAMS"u8) && more >= 1)
            {
                streamsAt = i + 1;
                break;
            }
            else if (group && _args.Is(i, "GROUP"u8) && more >= 2)
            {
                groupName = _args.String(++i);
                consumer = _args.String(++i);
            }
            else if (group && _args.Is(i, "NOACK"u8))
            {
                noAck = true;
            }
            else
            {
                throw Fail("ERR syntax error");
            }
        }

        if (streamsAt < 0)
        {
            throw Fail("ERR syntax error");
        }

        var rest = _args.Count - streamsAt;
        if (rest % 2 != 0)
        {
            throw Fail(group
                ? "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified."
                : "ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be specified.");
        }

        if (group && groupName is null)
        {
            throw Fail("ERR Missing GROUP option for XREADGROUP");
        }

        var n = rest / 2;
        var keys = new string[n];
        for (var k = 0; k < n; k++)
        {
            keys[k] = _args.String(streamsAt + k);
        }

        List<StreamReadResult>? results;
        if (group)
        {
            var positions = new StreamId?[n];
            for (var k = 0; k < n; k++)
            {
                var text = _args[streamsAt + n + k];
                if (text.Length == 1 && text[0] == '>')
                {
                    positions[k] = null;
                }
                else if (text.Length == 1 && text[0] == '$')
                {
                    ThrowIfNoGroup(keys, k, groupName!);
                    throw Fail("ERR The $ ID is meaningful only for XREAD");
                }
                else if (StreamId.TryParse(text, 0, out var id))
                {
                    positions[k] = id;
                }
                else
                {
                    ThrowIfNoGroup(keys, k, groupName!);
                    throw Fail(InvalidId);
                }
            }

            results = await Streams.ReadGroupAsync(groupName!, consumer!, keys, positions, count, block, noAck, _closed).ConfigureAwait(false);
        }
        else
        {
            var positions = new ReadPosition[n];
            for (var k = 0; k < n; k++)
            {
                var text = _args[streamsAt + n + k];
                if (text.Length == 1 && text[0] == '$')
                {
                    positions[k] = new ReadPosition(ReadPositionKind.Last, default);
                }
                else if (text.Length == 1 && text[0] == '+')
                {
                    positions[k] = new ReadPosition(ReadPositionKind.LastEntry, default);
                }
                else if (text.Length == 1 && text[0] == '>')
                {
                    throw Fail("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                }
                else
                {
                    positions[k] = new ReadPosition(ReadPositionKind.After, StreamId.TryParse(text, 0, out var id) ? id : throw Fail(InvalidId));
                }
            }

            results = await Streams.ReadAsync(keys, positions, count, block, _closed).ConfigureAwait(false);
        }

        if (results is null)
        {
            _w.NullArray();
            return;
        }

        if (_w.Resp3)
        {
            _w.Map(results.Count);
        }
        else
        {
            _w.Array(results.Count);
        }

        foreach (var r in results)
        {
            if (!_w.Resp3)
            {
                _w.Array(2);
            }

            _w.Bulk(r.Key);
            _w.Entries(r.Entries);
        }
    }

    /// <summary>Redis checks each key's group before it reads that key's id: the first of keys[0..last] without the group
    /// is reported instead of a bad id.</summary>
    private void ThrowIfNoGroup(string[] keys, int last, string group)
    {
        for (var k = 0; k <= last; k++)
        {
            if (!Streams.HasGroup(keys[k], group))
            {
                throw Fail($"NOGROUP No such key '{keys[k]}' or consumer group '{group}' in XREADGROUP with GROUP option");
            }
        }
    }

    private async ValueTask XDel()
    {
        var key = _args.String(1);
        var ids = new StreamId[_args.Count - 2];
        for (var i = 2; i < _args.Count; i++)
        {
            if (!StreamId.TryParse(_args[i], 0, out ids[i - 2]))
            {
                // Redis answers 0 for a missing key before it reads the ids.
                if (!Streams.Exists(key))
                {
                    _w.Integer(0);
                    return;
                }

                throw Fail(InvalidId);
            }
        }

        _w.Integer(await Streams.DeleteEntriesAsync(key, ids).ConfigureAwait(false));
    }

    private async ValueTask XTrim()
    {
        var i = 2;
        var trim = ParseTrim(ref i, xadd: false, out _);
        if (trim.Strategy == TrimStrategy.None || i != _args.Count)
        {
            throw Fail("ERR syntax error");
        }

        _w.Integer(await Streams.TrimAsync(_args.String(1), trim).ConfigureAwait(false));
    }

    private async ValueTask XSetId()
    {
        var id = StrictId(2);
        long? entriesAdded = null;
        StreamId? maxDeleted = null;
        for (var i = 3; i < _args.Count; i++)
        {
            if (_args.Is(i, "ENTRIESADDED"u8) && i + 1 < _args.Count)
            {
                entriesAdded = Integer(++i);
                if (entriesAdded < 0)
                {
                    throw Fail("ERR entries_added must be positive");
                }
            }
            else if (_args.Is(i, "MAXDELETEDID"u8) && i + 1 < _args.Count)
            {
                maxDeleted = StrictId(++i);
            }
            else
            {
                throw Fail("ERR syntax error");
            }
        }

        await Streams.SetIdAsync(_args.String(1), id, entriesAdded, maxDeleted).ConfigureAwait(false);
        _w.Ok();
    }

    private async ValueTask XGroup()
    {
        var sub = _args.String(1).ToUpperInvariant();
        if (sub == "HELP")
        {
            string[] help =
            [
                "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CREATE <key> <groupname> <id|$> [option]",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "DELCONSUMER <key> <groupname> <consumer>",
                "DESTROY <key> <groupname>",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "HELP",
            ];
            _w.Array(help.Length);
            foreach (var line in help)
            {
                _w.Simple(line);
            }

            return;
        }

        var (min, max) = sub switch
        {
            // Redis's arity for these two has no upper bound: extra words are a subcommand syntax error.
            "CREATE" => (5, int.MaxValue),
            "SETID" => (5, int.MaxValue),
            "DESTROY" => (4, 4),
            "CREATECONSUMER" or "DELCONSUMER" => (5, 5),
            _ => (-1, -1),
        };
        if (min < 0)
        {
            throw Fail(UnknownSubcommand("XGROUP"));
        }

        if (_args.Count < min || _args.Count > max)
        {
            throw Fail(SubcommandArity("xgroup"));
        }

        var key = _args.String(2);
        var group = _args.String(3);
        switch (sub)
        {
            case "CREATE" or "SETID":
            {
                // Redis's order: the options, then the key and the group, then the id.
                var mkStream = false;
                long? entriesRead = null;
                for (var i = 5; i < _args.Count; i++)
                {
                    if (sub == "CREATE" && _args.Is(i, "MKSTREAM"u8))
                    {
                        mkStream = true;
                    }
                    else if (_args.Is(i, "ENTRIESREAD"u8) && i + 1 < _args.Count)
                    {
                        entriesRead = Integer(++i);
                        if (entriesRead < 0 && entriesRead != -1)
                        {
                            throw Fail("ERR value for ENTRIESREAD must be positive or -1");
                        }
                    }
                    else
                    {
                        throw Fail(SubcommandSyntax("XGROUP"));
                    }
                }

                if ((sub == "CREATE" && _args.Count > 8) || (sub == "SETID" && _args.Count is not (5 or 7)))
                {
                    throw Fail(SubcommandSyntax("XGROUP"));
                }

                if (!mkStream && !Streams.Exists(key))
                {
                    throw Fail(StreamException.XGroupKeyMustExist);
                }

                if (sub == "SETID" && !Streams.HasGroup(key, group))
                {
                    throw Fail($"NOGROUP No such consumer group '{group}' for key name '{key}'");
                }

                // SETID reads its id as Redis's range bounds do: "-" and "+" are the smallest and the largest id.
                var text = _args[4];
                StreamId? id = text.Length == 1 ? text[0] switch
                {
                    (byte)'$' => null,
                    (byte)'-' when sub == "SETID" => StreamId.Zero,
                    (byte)'+' when sub == "SETID" => StreamId.Max,
                    _ => StrictId(4),
                } : StrictId(4);

                if (sub == "CREATE")
                {
                    await Streams.CreateGroupAsync(key, group, id, mkStream, entriesRead).ConfigureAwait(false);
                }
                else
                {
                    await Streams.SetGroupIdAsync(key, group, id, entriesRead).ConfigureAwait(false);
                }

                _w.Ok();
                return;
            }

            case "DESTROY":
                _w.Integer(await Streams.DestroyGroupAsync(key, group).ConfigureAwait(false) ? 1 : 0);
                return;
            case "CREATECONSUMER":
                _w.Integer(await Streams.CreateConsumerAsync(key, group, _args.String(4)).ConfigureAwait(false) ? 1 : 0);
                return;
            default:
                _w.Integer(await Streams.DeleteConsumerAsync(key, group, _args.String(4)).ConfigureAwait(false));
                return;
        }
    }

    private ValueTask XPending()
    {
        var key = _args.String(1);
        var group = _args.String(2);
        if (_args.Count == 3)
        {
            var summary = Streams.Pending(key, group);
            _w.Array(4);
            _w.Integer(summary.Count);
            if (summary.Count == 0)
            {
                _w.Null();
                _w.Null();
                _w.NullArray();
                return default;
            }

            _w.Id(summary.Smallest!.Value);
            _w.Id(summary.Greatest!.Value);
            _w.Array(summary.Consumers.Count);
            foreach (var (name, n) in summary.Consumers)
            {
                _w.Array(2);
                _w.Bulk(name);
                _w.BulkText(n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return default;
        }

        // Redis's reading of the extended form: 6 to 9 arguments; IDLE needs start, end and count after it; the count
        // is read before the bounds; the word after the consumer, if any, is ignored.
        if (_args.Count is < 6 or > 9)
        {
            throw Fail("ERR syntax error");
        }

        var i = 3;
        long minIdle = 0;
        if (_args.Is(i, "IDLE"u8))
        {
            minIdle = Integer(i + 1);
            if (_args.Count < 8)
            {
                throw Fail("ERR syntax error");
            }

            i += 2;
        }

        var count = Integer(i + 2);
        var start = Bound(i, start: true);
        var end = Bound(i + 1, start: false);
        var consumer = i + 3 < _args.Count ? _args.String(i + 3) : null;
        var list = count <= 0 ? [] : Streams.PendingRange(key, group, minIdle, start, end, count, consumer);
        if (count <= 0)
        {
            _ = Streams.Pending(key, group);
        }

        _w.Array(list.Count);
        foreach (var p in list)
        {
            _w.Array(4);
            _w.Id(p.Id);
            _w.Bulk(p.Consumer);
            _w.Integer(p.IdleMs);
            _w.Integer(p.DeliveryCount);
        }

        return default;
    }

    private async ValueTask XClaim()
    {
        // As Redis does, a missing key or group is reported before any argument is read.
        if (!Streams.HasGroup(_args.String(1), _args.String(2)))
        {
            throw Fail($"NOGROUP No such key '{_args.String(1)}' or consumer group '{_args.String(2)}'");
        }

        var minIdle = Integer(4, "ERR Invalid min-idle-time argument for XCLAIM");
        var ids = new List<StreamId>();
        var i = 5;
        for (; i < _args.Count && StreamId.TryParse(_args[i], 0, out var id); i++)
        {
            ids.Add(id);
        }

        var options = new ClaimOptions();
        for (; i < _args.Count; i++)
        {
            var more = _args.Count - i - 1;
            if (_args.Is(i, "FORCE"u8))
            {
                options = options with { Force = true };
            }
            else if (_args.Is(i, "JUSTID"u8))
            {
                options = options with { JustId = true };
            }
            else if (_args.Is(i, "IDLE"u8) && more >= 1)
            {
                options = options with { IdleMs = Integer(++i, "ERR Invalid IDLE option argument for XCLAIM") };
            }
            else if (_args.Is(i, "TIME"u8) && more >= 1)
            {
                options = options with { TimeMs = Integer(++i, "ERR Invalid TIME option argument for XCLAIM") };
            }
            else if (_args.Is(i, "RETRYCOUNT"u8) && more >= 1)
            {
                options = options with { RetryCount = Integer(++i, "ERR Invalid RETRYCOUNT option argument for XCLAIM") };
            }
            else if (_args.Is(i, "LASTID"u8) && more >= 1)
            {
                options = options with { LastId = StrictId(++i) };
            }
            else
            {
                throw Fail($"ERR Unrecognized XCLAIM option '{Printable(_args.String(i), 128)}'");
            }
        }

        var claimed = await Streams.ClaimAsync(_args.String(1), _args.String(2), _args.String(3), Math.Max(0, minIdle), ids, options).ConfigureAwait(false);
        _w.Array(claimed.Count);
        foreach (var e in claimed)
        {
            if (options.JustId)
            {
                _w.Id(e.Id);
            }
            else
            {
                _w.Entry(e);
            }
        }
    }

    private async ValueTask XAutoClaim()
    {
        var minIdle = Integer(4, "ERR Invalid min-idle-time argument for XAUTOCLAIM");
        var start = Bound(5, start: true);
        long count = 100;
        var justId = false;
        for (var i = 6; i < _args.Count; i++)
        {
            if (_args.Is(i, "COUNT"u8) && i + 1 < _args.Count)
            {
                count = Integer(++i);
                // Redis bounds COUNT so that count * 10 attempts cannot overflow.
                if (count < 1 || count > long.MaxValue / 10)
                {
                    throw Fail("ERR COUNT must be > 0");
                }
            }
            else if (_args.Is(i, "JUSTID"u8))
            {
                justId = true;
            }
            else
            {
                throw Fail("ERR syntax error");
            }
        }

        var result = await Streams.AutoClaimAsync(_args.String(1), _args.String(2), _args.String(3), Math.Max(0, minIdle), start, count, justId).ConfigureAwait(false);
        _w.Array(3);
        _w.Id(result.Next);
        _w.Array(result.Claimed.Count);
        foreach (var e in result.Claimed)
        {
            if (justId)
            {
                _w.Id(e.Id);
            }
            else
            {
                _w.Entry(e);
            }
        }

        _w.Array(result.Deleted.Count);
        foreach (var id in result.Deleted)
        {
            _w.Id(id);
        }
    }

    private ValueTask XInfo()
    {
        var sub = _args.String(1).ToUpperInvariant();
        switch (sub)
        {
            case "STREAM" when _args.Count is >= 3:
            {
                // Redis looks the key up first, then reads the options.
                if (!Streams.Exists(_args.String(2)))
                {
                    throw Fail("ERR no such key");
                }

                var full = _args.Count >= 4 && _args.Is(3, "FULL"u8);
                long count = 10;
                if (_args.Count > 3 && (!full || (_args.Count != 4 && (_args.Count != 6 || !_args.Is(4, "COUNT"u8)))))
                {
                    throw Fail(SubcommandSyntax("XINFO"));
                }

                if (_args.Count == 6)
                {
                    count = Integer(5);
                }

                var info = Streams.Info(_args.String(2), full, count) ?? throw Fail("ERR no such key");
                WriteStreamInfo(info, full);
                return default;
            }

            case "GROUPS" when _args.Count == 3:
            {
                var groups = Streams.Groups(_args.String(2)) ?? throw Fail("ERR no such key");
                _w.Array(groups.Count);
                foreach (var g in groups)
                {
                    WriteGroup(g, full: false);
                }

                return default;
            }

            case "CONSUMERS" when _args.Count == 4:
            {
                if (!Streams.Exists(_args.String(2)))
                {
                    throw Fail("ERR no such key");
                }

                var consumers = Streams.Consumers(_args.String(2), _args.String(3));
                _w.Array(consumers.Count);
                foreach (var c in consumers)
                {
                    _w.Map(4);
                    _w.Bulk("name"u8);
                    _w.Bulk(c.Name);
                    _w.Bulk("pending"u8);
                    _w.Integer(c.Pending);
                    _w.Bulk("idle"u8);
                    _w.Integer(c.IdleMs);
                    _w.Bulk("inactive"u8);
                    _w.Integer(c.InactiveMs);
                }

                return default;
            }

            case "HELP":
                string[] help =
                [
                    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CONSUMERS <key> <groupname>",
                    "GROUPS <key>",
                    "STREAM <key> [FULL [COUNT <count>]",
                    "HELP",
                ];
                _w.Array(help.Length);
                foreach (var line in help)
                {
                    _w.Simple(line);
                }

                return default;
            case "STREAM" or "GROUPS" or "CONSUMERS":
                return Reply(SubcommandArity("xinfo"));
            default:
                return Reply(UnknownSubcommand("XINFO"));
        }
    }

    private void WriteStreamInfo(StreamInfo info, bool full)
    {
        _w.Map(full ? 9 : 10);
        _w.Bulk("length"u8);
        _w.Integer(info.Length);
        _w.Bulk("radix-tree-keys"u8);
        _w.Integer((info.Length + RedisStreams.NodeSize - 1) / RedisStreams.NodeSize);
        _w.Bulk("radix-tree-nodes"u8);
        _w.Integer(((info.Length + RedisStreams.NodeSize - 1) / RedisStreams.NodeSize) + 1);
        _w.Bulk("last-generated-id"u8);
        _w.Id(info.LastGeneratedId);
        _w.Bulk("max-deleted-entry-id"u8);
        _w.Id(info.MaxDeletedId);
        _w.Bulk("entries-added"u8);
        _w.Integer(info.EntriesAdded);
        _w.Bulk("recorded-first-entry-id"u8);
        _w.Id(info.RecordedFirstEntryId);
        if (!full)
        {
            _w.Bulk("groups"u8);
            _w.Integer(info.GroupCount);
            _w.Bulk("first-entry"u8);
            WriteOptionalEntry(info.FirstEntry);
            _w.Bulk("last-entry"u8);
            WriteOptionalEntry(info.LastEntry);
            return;
        }

        _w.Bulk("entries"u8);
        _w.Entries(info.Entries);
        _w.Bulk("groups"u8);
        _w.Array(info.Groups.Count);
        foreach (var g in info.Groups)
        {
            WriteGroup(g, full: true);
        }
    }

    private void WriteOptionalEntry(StreamEntry? entry)
    {
        if (entry is { } e)
        {
            _w.Entry(e);
        }
        else
        {
            _w.Null();
        }
    }

    private void WriteGroup(GroupInfo g, bool full)
    {
        _w.Map(full ? 7 : 6);
        _w.Bulk("name"u8);
        _w.Bulk(g.Name);
        if (!full)
        {
            _w.Bulk("consumers"u8);
            _w.Integer(g.Consumers);
            _w.Bulk("pending"u8);
            _w.Integer(g.Pending);
        }

        _w.Bulk("last-delivered-id"u8);
        _w.Id(g.LastDeliveredId);
        _w.Bulk("entries-read"u8);
        WriteOptionalInteger(g.EntriesRead);
        _w.Bulk("lag"u8);
        WriteOptionalInteger(g.Lag);
        if (!full)
        {
            return;
        }

        _w.Bulk("pel-count"u8);
        _w.Integer(g.Pending);
        _w.Bulk("pending"u8);
        _w.Array(g.PendingEntries.Count);
        foreach (var p in g.PendingEntries)
        {
            _w.Array(4);
            _w.Id(p.Id);
            _w.Bulk(p.Consumer);
            _w.Integer(p.IdleMs);
            _w.Integer(p.DeliveryCount);
        }

        _w.Bulk("consumers"u8);
        _w.Array(g.ConsumerDetails.Count);
        foreach (var c in g.ConsumerDetails)
        {
            _w.Map(5);
            _w.Bulk("name"u8);
            _w.Bulk(c.Name);
            _w.Bulk("seen-time"u8);
            _w.Integer(c.SeenTime);
            _w.Bulk("active-time"u8);
            _w.Integer(c.ActiveTime);
            _w.Bulk("pel-count"u8);
            _w.Integer(c.Pending);
            _w.Bulk("pending"u8);
            _w.Array(c.PendingEntries.Count);
            foreach (var p in c.PendingEntries)
            {
                _w.Array(3);
                _w.Id(p.Id);
                _w.Integer(p.IdleMs);
                _w.Integer(p.DeliveryCount);
            }
        }
    }

    private void WriteOptionalInteger(long? value)
    {
        if (value is { } v)
        {
            _w.Integer(v);
        }
        else
        {
            _w.Null();
        }
    }
}
