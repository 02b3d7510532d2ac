using System.Text;
using Ferry.Engine;
using Ferry.Engine.RedisStreams;
using Ferry.Redis.Commands;

namespace Ferry.Redis;

internal sealed partial class RespConnection
{
    /// <summary>Runs the command in <see cref="_args"/>: checks name, arity, authentication and subscriber mode the way
    /// Redis does, in the order it does, then calls its handler.</summary>
    private ValueTask ExecuteAsync()
    {
        var spec = CommandTable.Find(_args[0]);
        if (spec is null)
        {
            return Refuse(UnknownCommand());
        }

        if (!Authenticated && !spec.Flags.HasFlag(CommandFlags.NoAuth))
        {
            return Refuse("NOAUTH Authentication required.", spec);
        }

        if ((spec.Arity > 0 && _args.Count != spec.Arity) || _args.Count < -spec.Arity)
        {
            return Refuse($"ERR wrong number of arguments for '{spec.Name}' command", spec);
        }

        if (!_w.Resp3 && SubscriptionCount > 0 && !spec.Flags.HasFlag(CommandFlags.PubSubContext))
        {
            return Refuse($"ERR Can't execute '{spec.Name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", spec);
        }

        if (InTransaction && !RunsInsideMulti(spec))
        {
            return Enqueue(spec);
        }

        LastCommand = spec.Name;
        _lastCommandTicks = Environment.TickCount64;
        if (_deferred.Count > 0 && !spec.Flags.HasFlag(CommandFlags.Deferrable))
        {
            return DrainThenRun(spec);
        }

        return Run(spec);
    }

    private async ValueTask DrainThenRun(CommandSpec spec)
    {
        await DrainDeferredAsync().ConfigureAwait(false);
        await Run(spec).ConfigureAwait(false);
    }

    private ValueTask Run(CommandSpec spec)
    {
        try
        {
            var run = spec.Name switch
            {
                "ping" => Ping(),
                "publish" => PublishCommand(shard: false),
                "xadd" => XAdd(),
                "xack" => XAck(),
                "xreadgroup" => XRead(group: true),
                "echo" => Echo(),
                "hello" => Hello(),
                "auth" => Auth(),
                "select" => Select(),
                "client" => Client(),
                "command" => Command(),
                "info" => Info(),
                "config" => Config(),
                "quit" => Quit(),
                "reset" => Reset(),
                "dbsize" => DbSize(),
                "exists" or "touch" => Exists(),
                "rename" => Rename(onlyIfMissing: false),
                "renamenx" => Rename(onlyIfMissing: true),
                "randomkey" => RandomKey(),
                "type" => TypeCommand(),
                "del" or "unlink" => Del(),
                "keys" => KeysCommand(),
                "expire" => Expire(milliseconds: false, absolute: false),
                "pexpire" => Expire(milliseconds: true, absolute: false),
                "expireat" => Expire(milliseconds: false, absolute: true),
                "pexpireat" => Expire(milliseconds: true, absolute: true),
                "ttl" => Ttl(milliseconds: false, absolute: false),
                "pttl" => Ttl(milliseconds: true, absolute: false),
                "expiretime" => Ttl(milliseconds: false, absolute: true),
                "pexpiretime" => Ttl(milliseconds: true, absolute: true),
                "persist" => Persist(),
                "scan" => Scan(),
                "flushall" or "flushdb" => Flush(),
                "subscribe" => Subscribe(SubscriptionKind.Channel),
                "psubscribe" => Subscribe(SubscriptionKind.Pattern),
                "ssubscribe" => Subscribe(SubscriptionKind.Shard),
                "unsubscribe" => Unsubscribe(SubscriptionKind.Channel),
                "punsubscribe" => Unsubscribe(SubscriptionKind.Pattern),
                "sunsubscribe" => Unsubscribe(SubscriptionKind.Shard),
                "spublish" => PublishCommand(shard: true),
                "pubsub" => PubSub(),
                "xlen" => XLen(),
                "xrange" => XRange(reverse: false),
                "xrevrange" => XRange(reverse: true),
                "xread" => XRead(group: false),
                "xdel" => XDel(),
                "xtrim" => XTrim(),
                "xsetid" => XSetId(),
                "xgroup" => XGroup(),
                "xpending" => XPending(),
                "xclaim" => XClaim(),
                "xautoclaim" => XAutoClaim(),
                "xinfo" => XInfo(),
                "time" => Time(),
                "wait" => Wait(),
                "waitaof" => WaitAof(),
                "multi" => Multi(),
                "exec" => Exec(),
                "discard" => Discard(),
                "watch" => Watch(),
                "unwatch" => Unwatch(),
                _ => Reply(UnknownCommand()),
            };
            return run.IsCompletedSuccessfully ? default : Guard(run);
        }
        catch (StreamException e)
        {
            _w.Error(e.Message);
            return default;
        }
        catch (EngineException e) when (e.Error == EngineError.ServiceUnavailable)
        {
            _w.Error(DiskFull);
            return default;
        }
    }

    /// <summary>What Redis answers when it cannot persist a write (as for a failed AOF write).</summary>
    private const string DiskFull = "MISCONF Errors writing to the journal: No space left on device. Commands that may modify the data set are refused until space is freed.";

    /// <summary>Turns a refusal from the engine raised after an await into its error reply.</summary>
    private async ValueTask Guard(ValueTask run)
    {
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (StreamException e)
        {
            _w.Error(e.Message);
        }
        catch (EngineException e) when (e.Error == EngineError.ServiceUnavailable)
        {
            _w.Error(DiskFull);
        }
    }

    private ValueTask Reply(string error)
    {
        if (_deferred.Count > 0)
        {
            _deferred.Enqueue(new Deferred { Kind = DeferredKind.Error, Error = error });
        }
        else
        {
            _w.Error(error);
        }

        return default;
    }

    /// <summary>Writes an error, or throws it for <see cref="Run"/> to write: helpers below use it to stop parsing.</summary>
    private static StreamException Fail(string error) => new(error);

    private string UnknownCommand()
    {
        var text = new StringBuilder("ERR unknown command '").Append(Printable(_args.String(0), 128)).Append("', with args beginning with: ");
        for (var i = 1; i < _args.Count && text.Length < 128; i++)
        {
            text.Append('\'').Append(Printable(_args.String(i), 128 - text.Length)).Append("' ");
        }

        return text.ToString();
    }

    /// <summary>Like Redis's error formatting: at most <paramref name="max"/> characters, control characters as spaces.</summary>
    private static string Printable(string text, int max)
    {
        var cut = text.Length > max ? text[..Math.Max(0, max)] : text;
        return string.Create(cut.Length, cut, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = s[i] is '\r' or '\n' ? ' ' : s[i];
            }
        });
    }

    private string UnknownSubcommand(string command) =>
        $"ERR unknown subcommand '{Printable(_args.String(1), 128)}'. Try {command} HELP.";

    /// <summary>Redis's answer when a subcommand's words do not fit it (its arity has no upper bound).</summary>
    private string SubcommandSyntax(string command) =>
        $"ERR unknown subcommand or wrong number of arguments for '{Printable(_args.String(1), 128)}'. Try {command} HELP.";

    private string SubcommandArity(string command) =>
        $"ERR wrong number of arguments for '{command}|{_args.String(1).ToLowerInvariant()}' command";

    /// <summary>An argument as a Redis integer, or the error Redis gives for one that is not.</summary>
    private long Integer(int index, string error = "ERR value is not an integer or out of range") =>
        Protocol.RespParser.TryParseInteger(_args[index], out var value) ? value : throw Fail(error);
}
