using Ferry.Engine.RedisStreams;
using Ferry.Redis.Commands;

namespace Ferry.Redis;

/// <summary>MULTI, EXEC, DISCARD, WATCH and UNWATCH, as Redis answers them.</summary>
/// <remarks>
/// <para>After MULTI every command but EXEC, DISCARD, MULTI, WATCH, QUIT and RESET is checked (name, arity,
/// authentication, subscriber mode) and queued (<c>+QUEUED</c>); a command refused then marks the transaction, and
/// EXEC answers <c>EXECABORT</c>. EXEC runs the queued commands in order and answers an array of their replies (an
/// error among them is that command's reply only), or a null array when a WATCHed key changed since WATCH: entries
/// added, deleted or trimmed, or the key deleted (RedisStreams tells this connection where the change is made).
/// Blocking reads run without blocking inside EXEC, as in Redis.</para>
/// <para>Writes of a transaction are appended one after the other without waiting, so they share a group commit,
/// and EXEC's reply leaves once all of them are durable. A command that must first see an earlier write of the
/// transaction durable (a read after a write) waits for it; other clients' commands may run during that wait, which
/// redis-server, answering from memory, never lets happen.</para>
/// </remarks>
internal sealed partial class RespConnection : IKeyWatcher
{
    /// <summary>What a transaction may queue, in argument bytes (each argument counts 16 more): past it the
    /// transaction is refused rather than the server's memory exhausted.</summary>
    internal const long MaxQueuedBytes = 256L * 1024 * 1024;

    private List<byte[][]>? _queued;
    private long _queuedCommandBytes;
    private bool _transactionFailed;
    private bool _inExec;
    private List<string>? _watchedKeys;

    /// <summary>When each watched key was due to expire as it was watched (0: never, or it did not exist): one that
    /// expires before EXEC fails the transaction, as a change would.</summary>
    private List<long>? _watchedExpiries;
    private volatile bool _watchedKeyModified;

    /// <summary>Whether MULTI was given and neither EXEC nor DISCARD yet.</summary>
    internal bool InTransaction => _queued is not null;

    /// <summary>Commands queued since MULTI, or -1 outside a transaction (CLIENT LIST's multi=).</summary>
    internal int QueuedCommands => _queued?.Count ?? -1;

    void IKeyWatcher.WatchedKeyModified() => _watchedKeyModified = true;

    /// <summary>CLIENT LIST's flags: P subscribed, x inside MULTI, N neither.</summary>
    internal string ClientFlags() => (SubscriptionCount > 0 ? "P" : string.Empty) + (InTransaction ? "x" : string.Empty) is { Length: > 0 } f ? f : "N";

    /// <summary>Refuses the command before it runs or is queued: inside MULTI the transaction is then discarded at EXEC.
    /// A refused EXEC discards the transaction at once, with the reason, as Redis answers it.</summary>
    private ValueTask Refuse(string error, CommandSpec? spec = null)
    {
        if (spec?.Name == "exec")
        {
            EndTransaction();
            return Reply("EXECABORT Transaction discarded because of: " + (error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error));
        }

        if (InTransaction)
        {
            _transactionFailed = true;
        }

        return Reply(error);
    }

    /// <summary>Inside MULTI: whether the command runs now rather than being queued.</summary>
    private static bool RunsInsideMulti(CommandSpec spec) => spec.Name is "exec" or "discard" or "multi" or "watch" or "quit" or "reset";

    /// <summary>Keeps a copy of the current command for EXEC and answers QUEUED; a container command's subcommand is
    /// checked first (name and arity), as Redis checks it before queueing.</summary>
    private ValueTask Enqueue(CommandSpec spec)
    {
        if (CommandTable.Subcommands.TryGetValue(spec.Name, out var subcommands))
        {
            if (!subcommands.TryGetValue(_args.String(1), out var arity))
            {
                return Refuse(UnknownSubcommand(spec.Name.ToUpperInvariant()));
            }

            if ((arity > 0 && _args.Count != arity) || _args.Count < -arity)
            {
                return Refuse(SubcommandArity(spec.Name));
            }
        }

        long size = 0;
        var command = new byte[_args.Count][];
        for (var i = 0; i < _args.Count; i++)
        {
            size += _args[i].Length + 16;
        }

        if (_queuedCommandBytes + size > MaxQueuedBytes)
        {
            return Refuse($"ERR the transaction queued more than {MaxQueuedBytes / (1024 * 1024)} MB of commands");
        }

        for (var i = 0; i < _args.Count; i++)
        {
            command[i] = _args[i].ToArray();
        }

        _queued!.Add(command);
        _queuedCommandBytes += size;
        _w.Simple("QUEUED"u8);
        return default;
    }

    private ValueTask Multi()
    {
        if (InTransaction)
        {
            return Reply("ERR MULTI calls can not be nested");
        }

        _queued = [];
        _queuedCommandBytes = 0;
        _transactionFailed = false;
        _w.Ok();
        return default;
    }

    private ValueTask Discard()
    {
        if (!InTransaction)
        {
            return Reply("ERR DISCARD without MULTI");
        }

        EndTransaction();
        _w.Ok();
        return default;
    }

    private ValueTask Exec()
    {
        if (!InTransaction)
        {
            return Reply("ERR EXEC without MULTI");
        }

        var queued = _queued!;
        var failed = _transactionFailed;
        var modified = _watchedKeyModified || WatchedKeyExpired();
        EndTransaction();
        if (failed)
        {
            return Reply("EXECABORT Transaction discarded because of previous errors.");
        }

        if (modified)
        {
            _w.NullArray();
            return default;
        }

        _w.Array(queued.Count);
        return queued.Count == 0 ? default : RunQueuedAsync(queued);
    }

    /// <summary>Runs the commands of an EXEC in order, each as it would have run outside the transaction.</summary>
    private async ValueTask RunQueuedAsync(List<byte[][]> queued)
    {
        _inExec = true;
        try
        {
            foreach (var command in queued)
            {
                _args.Clear();
                foreach (var arg in command)
                {
                    arg.CopyTo(_args.Add(arg.Length));
                }

                // Every queued command passed the checks of ExecuteAsync when it was queued.
                var spec = CommandTable.Find(_args[0])!;
                LastCommand = spec.Name;
                if (_deferred.Count > 0 && !spec.Flags.HasFlag(CommandFlags.Deferrable))
                {
                    await DrainThenRun(spec).ConfigureAwait(false);
                }
                else
                {
                    await Run(spec).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _inExec = false;
        }
    }

    private ValueTask Watch()
    {
        if (InTransaction)
        {
            return Reply("ERR WATCH inside MULTI is not allowed");
        }

        _watchedKeys ??= [];
        _watchedExpiries ??= [];
        for (var i = 1; i < _args.Count; i++)
        {
            var key = _args.String(i);
            if (!_watchedKeys.Contains(key))
            {
                _watchedKeys.Add(key);
                Streams.Watch(key, this);
                _watchedExpiries.Add(Streams.ExpiryOf(key) ?? 0);
            }
        }

        _w.Ok();
        return default;
    }

    private ValueTask Unwatch()
    {
        UnwatchAll();
        _w.Ok();
        return default;
    }

    /// <summary>Leaves MULTI (EXEC, DISCARD, RESET): the queue is dropped and every key unwatched.</summary>
    private void EndTransaction()
    {
        _queued = null;
        _queuedCommandBytes = 0;
        _transactionFailed = false;
        UnwatchAll();
    }

    private bool WatchedKeyExpired()
    {
        if (_watchedExpiries is null)
        {
            return false;
        }

        var now = Streams.NowMilliseconds;
        return _watchedExpiries.Exists(at => at != 0 && at <= now);
    }

    private void UnwatchAll()
    {
        if (_watchedKeys is { Count: > 0 })
        {
            Streams.Unwatch(_watchedKeys, this);
            _watchedKeys.Clear();
            _watchedExpiries!.Clear();
        }

        _watchedKeyModified = false;
    }
}
