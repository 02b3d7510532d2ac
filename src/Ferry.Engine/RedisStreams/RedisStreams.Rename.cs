using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>What RENAME and RENAMENX did.</summary>
public enum RenameOutcome
{
    /// <summary>The source key does not exist (or has expired).</summary>
    NoSuchKey,

    /// <summary>RENAMENX only: the destination exists, nothing changed.</summary>
    DestinationExists,

    Renamed,
}

public sealed partial class RedisStreams
{
    /// <summary>
    /// RENAME and RENAMENX: the stream at <paramref name="from"/>, with its entries, groups and expiry, moves to
    /// <paramref name="to"/>, replacing a stream there unless <paramref name="onlyIfMissing"/>. Both keys count as
    /// changed for WATCH; readers blocked on the source look it up again (and wait for it), readers blocked on a missing
    /// destination are woken.
    /// </summary>
    public async Task<RenameOutcome> RenameAsync(string from, string to, bool onlyIfMissing)
    {
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                if (FindLocked(from) is not { } stream)
                {
                    return RenameOutcome.NoSuchKey;
                }

                if (from == to)
                {
                    return onlyIfMissing ? RenameOutcome.DestinationExists : RenameOutcome.Renamed;
                }

                if (_byKey.TryGetValue(to, out var existing))
                {
                    if (onlyIfMissing && Alive(existing))
                    {
                        return RenameOutcome.DestinationExists;
                    }

                    RemoveLocked(existing).Forget();
                }

                _byKey.Remove(from);
                stream.Key = to;
                _byKey.Add(to, stream);
                using var w = new PayloadWriter();
                w.String(to);
                durable = Journal.AppendAsync((ushort)RedisRecordType.StreamRenamed, stream.Id, w.WrittenSpan, out var record);
                Journal.Release(record);
                lock (stream.Gate)
                {
                    stream.WakeAll();
                }

                WakeKeyWaiters(to);
                Touch(from);
                Touch(to);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return RenameOutcome.Renamed;
    }

    /// <summary>A key chosen at random among those that have not expired (RANDOMKEY), or null when there is none.</summary>
    public string? RandomKey()
    {
        var keys = Keys();
        return keys.Count == 0 ? null : keys[Random.Shared.Next(keys.Count)];
    }
}
