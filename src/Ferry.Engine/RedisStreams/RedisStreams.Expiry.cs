using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>EXPIRE's conditions: NX (no expiry yet), XX (one already), GT and LT (later or earlier than the current
/// one, where none counts as later than any). XX combines with GT or LT.</summary>
[Flags]
public enum ExpireConditions
{
    None = 0,
    Nx = 1,
    Xx = 2,
    Gt = 4,
    Lt = 8,
}

public sealed partial class RedisStreams
{
    /// <summary>
    /// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT and PERSIST: sets when the key expires (Unix milliseconds), or removes its
    /// expiry when <paramref name="at"/> is null. A time already past deletes the key. Returns whether anything
    /// changed: false for a missing (or expired) key, an unmet condition, or PERSIST on a key without expiry.
    /// </summary>
    /// <remarks>A key expires exactly on time: from then on nothing finds it. The stream is removed from memory and the
    /// journal when something writes at its key, by DEL, or by the maintenance sweep. Its expiry is journaled, so it
    /// holds across a restart.</remarks>
    public async Task<bool> ExpireAsync(string key, long? at, ExpireConditions conditions)
    {
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                var now = Now;
                if (FindLocked(key) is not { } stream || !Allowed(stream.ExpiresAt, at, conditions))
                {
                    return false;
                }

                if (at is { } when && when <= now)
                {
                    durable = RemoveLocked(stream);
                }
                else
                {
                    stream.ExpiresAt = at ?? 0;
                    using var w = new PayloadWriter();
                    w.I64(stream.ExpiresAt);
                    durable = Journal.AppendAsync((ushort)RedisRecordType.ExpirySet, stream.Id, w.WrittenSpan, out var record);
                    Journal.Release(record);
                }

                Touch(key);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return true;
    }

    private static bool Allowed(long current, long? at, ExpireConditions conditions)
    {
        if (at is not { } when)
        {
            return current != 0;
        }

        return !(conditions.HasFlag(ExpireConditions.Nx) && current != 0)
            && !(conditions.HasFlag(ExpireConditions.Xx) && current == 0)
            && !(conditions.HasFlag(ExpireConditions.Gt) && (current == 0 || when <= current))
            && !(conditions.HasFlag(ExpireConditions.Lt) && current != 0 && when >= current);
    }

    /// <summary>The clock expiry is measured by, in Unix milliseconds.</summary>
    public long NowMilliseconds => Now;

    /// <summary>When <paramref name="key"/> expires (Unix milliseconds, 0 for never), or null when it does not exist.</summary>
    public long? ExpiryOf(string key)
    {
        lock (_catalogGate)
        {
            return FindLocked(key)?.ExpiresAt;
        }
    }

    /// <summary>How many keys have an expiry, and their average time to live in milliseconds (INFO keyspace's
    /// <c>expires</c> and <c>avg_ttl</c>).</summary>
    public (int Count, long AverageTtl) ExpiryStats()
    {
        lock (_catalogGate)
        {
            var now = Now;
            int count = 0;
            double total = 0;
            foreach (var s in _byKey.Values)
            {
                if (s.ExpiresAt != 0 && Alive(s, now))
                {
                    count++;
                    total += s.ExpiresAt - now;
                }
            }

            return (count, count == 0 ? 0 : (long)(total / count));
        }
    }

    /// <summary>Removes the streams whose keys have expired; returns how many. Background work: it goes on while the
    /// disk is full (its records are small, and it releases the streams' entries).</summary>
    internal int SweepExpired()
    {
        lock (_catalogGate)
        {
            var now = Now;
            if (!_byKey.Values.Any(s => !Alive(s, now)))
            {
                return 0;
            }
        }

        _broker.EnterWrite(background: true);
        try
        {
            lock (_catalogGate)
            {
                var now = Now;
                var expired = _byKey.Values.Where(s => !Alive(s, now)).ToList();
                foreach (var stream in expired)
                {
                    RemoveLocked(stream).Forget();
                }

                return expired.Count;
            }
        }
        finally
        {
            _broker.ExitWrite();
        }
    }
}
