using System.Text;
using Ferry.Engine.RedisPubSub;
using Ferry.Engine.RedisStreams;

namespace Ferry.Redis;

internal sealed partial class RespConnection
{
    private ValueTask DbSize()
    {
        _w.Integer(Streams.Count);
        return default;
    }

    private ValueTask Exists()
    {
        long n = 0;
        for (var i = 1; i < _args.Count; i++)
        {
            if (Streams.Exists(_args.String(i)))
            {
                n++;
            }
        }

        _w.Integer(n);
        return default;
    }

    private ValueTask TypeCommand()
    {
        _w.Simple(Streams.Exists(_args.String(1)) ? "stream"u8 : "none"u8);
        return default;
    }

    private async ValueTask Del()
    {
        var keys = Enumerable.Range(1, _args.Count - 1).Select(_args.String).ToList();
        _w.Integer(await Streams.DeleteKeysAsync(keys).ConfigureAwait(false));
    }

    private ValueTask KeysCommand()
    {
        var pattern = _args[1];
        if (pattern.Length > GlobPattern.MaxLength)
        {
            return Reply($"ERR pattern longer than {GlobPattern.MaxLength} bytes");
        }

        var matched = Streams.Keys().Where(k => GlobPattern.IsMatch(_args[1], Encoding.Latin1.GetBytes(k))).ToList();
        _w.Array(matched.Count);
        foreach (var k in matched)
        {
            _w.Bulk(k);
        }

        return default;
    }

    /// <summary>SCAN over the sorted keys: the cursor is the position of the next key. Keys added or removed between
    /// calls may be missed or seen twice, which SCAN's contract allows only for keys that changed.</summary>
    private ValueTask Scan()
    {
        if (!ulong.TryParse(_args.String(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cursor))
        {
            return Reply("ERR invalid cursor");
        }

        byte[]? pattern = null;
        long count = 10;
        string? type = null;
        for (var i = 2; i < _args.Count; i++)
        {
            if (i + 1 >= _args.Count)
            {
                return Reply("ERR syntax error");
            }

            if (_args.Is(i, "MATCH"u8))
            {
                pattern = _args[++i].ToArray();
                if (pattern.Length > GlobPattern.MaxLength)
                {
                    return Reply($"ERR pattern longer than {GlobPattern.MaxLength} bytes");
                }
            }
            else if (_args.Is(i, "COUNT"u8))
            {
                count = Integer(++i);
                if (count < 1)
                {
                    return Reply("ERR syntax error");
                }
            }
            else if (_args.Is(i, "TYPE"u8))
            {
                type = _args.String(++i);
            }
            else
            {
                return Reply("ERR syntax error");
            }
        }

        var keys = Streams.Keys();
        keys.Sort(StringComparer.Ordinal);
        var start = (int)Math.Min(cursor, (ulong)keys.Count);
        var end = (int)Math.Min(keys.Count, start + count);
        var page = keys.GetRange(start, end - start)
            .Where(k => pattern is null || GlobPattern.IsMatch(pattern, Encoding.Latin1.GetBytes(k)))
            .Where(_ => type is null || type.Equals("stream", StringComparison.OrdinalIgnoreCase))
            .ToList();
        _w.Array(2);
        _w.Bulk(end >= keys.Count ? "0" : end.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _w.Array(page.Count);
        foreach (var k in page)
        {
            _w.Bulk(k);
        }

        return default;
    }

    /// <summary>EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT key time [NX | XX | GT | LT], checked in Redis's order.</summary>
    private async ValueTask Expire(bool milliseconds, bool absolute)
    {
        var conditions = ExpireConditions.None;
        for (var i = 3; i < _args.Count; i++)
        {
            conditions |= _args.Is(i, "NX"u8) ? ExpireConditions.Nx
                : _args.Is(i, "XX"u8) ? ExpireConditions.Xx
                : _args.Is(i, "GT"u8) ? ExpireConditions.Gt
                : _args.Is(i, "LT"u8) ? ExpireConditions.Lt
                : throw Fail("ERR Unsupported option " + _args.String(i));
        }

        if (conditions.HasFlag(ExpireConditions.Nx) && conditions != ExpireConditions.Nx)
        {
            throw Fail("ERR NX and XX, GT or LT options at the same time are not compatible");
        }

        if (conditions.HasFlag(ExpireConditions.Gt) && conditions.HasFlag(ExpireConditions.Lt))
        {
            throw Fail("ERR GT and LT options at the same time are not compatible");
        }

        var when = Integer(2);
        if (!milliseconds)
        {
            if (when is > long.MaxValue / 1000 or < long.MinValue / 1000)
            {
                throw InvalidExpireTime();
            }

            when *= 1000;
        }

        var basetime = absolute ? 0 : Streams.NowMilliseconds;
        if (when > long.MaxValue - basetime)
        {
            throw InvalidExpireTime();
        }

        _w.Integer(await Streams.ExpireAsync(_args.String(1), when + basetime, conditions).ConfigureAwait(false) ? 1 : 0);
    }

    private StreamException InvalidExpireTime() => Fail($"ERR invalid expire time in '{_args.String(0).ToLowerInvariant()}' command");

    /// <summary>TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing key, -1 for one that never expires.</summary>
    private ValueTask Ttl(bool milliseconds, bool absolute)
    {
        var at = Streams.ExpiryOf(_args.String(1));
        if (at is not { } expires)
        {
            _w.Integer(-2);
        }
        else if (expires == 0)
        {
            _w.Integer(-1);
        }
        else
        {
            var ttl = Math.Max(0, absolute ? expires : expires - Streams.NowMilliseconds);
            _w.Integer(milliseconds ? ttl : (ttl + 500) / 1000);
        }

        return default;
    }

    private async ValueTask Persist() =>
        _w.Integer(await Streams.ExpireAsync(_args.String(1), null, ExpireConditions.None).ConfigureAwait(false) ? 1 : 0);

    /// <summary>RENAME and RENAMENX.</summary>
    private async ValueTask Rename(bool onlyIfMissing)
    {
        var outcome = await Streams.RenameAsync(_args.String(1), _args.String(2), onlyIfMissing).ConfigureAwait(false);
        if (outcome == RenameOutcome.NoSuchKey)
        {
            _w.Error("ERR no such key");
        }
        else if (onlyIfMissing)
        {
            _w.Integer(outcome == RenameOutcome.Renamed ? 1 : 0);
        }
        else
        {
            _w.Ok();
        }
    }

    private ValueTask RandomKey()
    {
        if (Streams.RandomKey() is { } key)
        {
            _w.Bulk(key);
        }
        else
        {
            _w.Null();
        }

        return default;
    }

    private async ValueTask Flush()
    {
        if (!Options.AllowFlush)
        {
            _w.Error($"ERR {_args.String(0).ToUpperInvariant()} is disabled on this server (Ferry:RedisAllowFlush)");
            return;
        }

        if (_args.Count > 2 || (_args.Count == 2 && !_args.Is(1, "ASYNC"u8) && !_args.Is(1, "SYNC"u8)))
        {
            _w.Error("ERR syntax error");
            return;
        }

        await Streams.FlushAsync().ConfigureAwait(false);
        _w.Ok();
    }
}
