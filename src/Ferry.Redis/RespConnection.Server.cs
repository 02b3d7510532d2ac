using System.Globalization;
using System.Text;
using Ferry.Redis.Commands;

namespace Ferry.Redis;

internal sealed partial class RespConnection
{
    /// <summary>The Redis version Ferry reports (HELLO, INFO): the one whose stream commands it implements, so that
    /// clients enable them.</summary>
    internal const string RedisVersion = "7.4.0";

    private ValueTask Ping()
    {
        if (_args.Count > 2)
        {
            return Reply("ERR wrong number of arguments for 'ping' command");
        }

        if (!_w.Resp3 && SubscriptionCount > 0)
        {
            _w.Array(2);
            _w.Bulk("pong"u8);
            _w.Bulk(_args.Count == 2 ? _args[1] : []);
            return default;
        }

        if (_args.Count == 2)
        {
            _w.Bulk(_args[1]);
        }
        else
        {
            _w.Pong();
        }

        return default;
    }

    private ValueTask Echo()
    {
        _w.Bulk(_args[1]);
        return default;
    }

    private ValueTask Hello()
    {
        var protocol = _w.Protocol;
        var i = 1;
        if (_args.Count > 1)
        {
            if (!Protocol.RespParser.TryParseInteger(_args[1], out var version))
            {
                return Reply("ERR Protocol version is not an integer or out of range");
            }

            if (version is < 2 or > 3)
            {
                return Reply("NOPROTO unsupported protocol version");
            }

            protocol = (int)version;
            i = 2;
        }

        string? name = null;
        var authenticated = Authenticated;
        for (; i < _args.Count; i++)
        {
            var more = _args.Count - i - 1;
            if (_args.Is(i, "AUTH"u8) && more >= 2)
            {
                if (!CheckPassword(_args.String(i + 1), _args.String(i + 2), out var error))
                {
                    return Reply(error!);
                }

                authenticated = true;
                i += 2;
            }
            else if (_args.Is(i, "SETNAME"u8) && more >= 1)
            {
                name = _args.String(i + 1);
                if (!ValidName(name))
                {
                    return Reply("ERR Client names cannot contain spaces, newlines or special characters.");
                }

                i++;
            }
            else
            {
                return Reply($"ERR Syntax error in HELLO option '{Printable(_args.String(i), 128)}'");
            }
        }

        if (!authenticated)
        {
            return Reply("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }

        Authenticated = true;
        if (name is not null)
        {
            Name = name.Length == 0 ? null : name;
        }

        _w.Protocol = protocol;
        _w.Map(7);
        _w.Bulk("server"u8);
        _w.Bulk("redis"u8);
        _w.Bulk("version"u8);
        _w.Bulk(RedisVersion);
        _w.Bulk("proto"u8);
        _w.Integer(protocol);
        _w.Bulk("id"u8);
        _w.Integer(Id);
        _w.Bulk("mode"u8);
        _w.Bulk("standalone"u8);
        _w.Bulk("role"u8);
        _w.Bulk("master"u8);
        _w.Bulk("modules"u8);
        _w.Array(0);
        return default;
    }

    private bool CheckPassword(string user, string password, out string? error)
    {
        error = null;
        if (Options.Password is null)
        {
            if (user == "default")
            {
                return true;
            }

            error = "WRONGPASS invalid username-password pair or user is disabled.";
            return false;
        }

        if (user != "default" || !CryptographicEquals(password, Options.Password))
        {
            error = "WRONGPASS invalid username-password pair or user is disabled.";
            return false;
        }

        return true;
    }

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private ValueTask Auth()
    {
        if (_args.Count > 3)
        {
            return Reply("ERR syntax error");
        }

        if (_args.Count == 2 && Options.Password is null)
        {
            return Reply("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        }

        var user = _args.Count == 3 ? _args.String(1) : "default";
        if (!CheckPassword(user, _args.String(_args.Count - 1), out var error))
        {
            return Reply(error!);
        }

        Authenticated = true;
        _w.Ok();
        return default;
    }

    private ValueTask Select()
    {
        var db = Integer(1);
        if (db != 0)
        {
            return Reply("ERR DB index is out of range");
        }

        _w.Ok();
        return default;
    }

    private static bool ValidName(string name)
    {
        foreach (var c in name)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private ValueTask Client()
    {
        var sub = _args.String(1).ToUpperInvariant();
        switch (sub)
        {
            case "SETNAME" when _args.Count == 3:
                var name = _args.String(2);
                if (!ValidName(name))
                {
                    return Reply("ERR Client names cannot contain spaces, newlines or special characters.");
                }

                Name = name.Length == 0 ? null : name;
                _w.Ok();
                return default;
            case "GETNAME" when _args.Count == 2:
                if (Name is null)
                {
                    _w.Null();
                }
                else
                {
                    _w.Bulk(Name);
                }

                return default;
            case "ID" when _args.Count == 2:
                _w.Integer(Id);
                return default;
            case "SETINFO" when _args.Count == 4:
                var value = _args.String(3);
                if (_args.Is(2, "LIB-NAME"u8))
                {
                    if (!ValidName(value))
                    {
                        return Reply("ERR lib-name cannot contain spaces, newlines or special characters.");
                    }

                    LibName = value;
                }
                else if (_args.Is(2, "LIB-VER"u8))
                {
                    if (!ValidName(value))
                    {
                        return Reply("ERR lib-ver cannot contain spaces, newlines or special characters.");
                    }

                    LibVersion = value;
                }
                else
                {
                    return Reply($"ERR Unrecognized option '{Printable(_args.String(2), 128)}'");
                }

                _w.Ok();
                return default;
            case "INFO" when _args.Count == 2:
                _w.Verbatim(ClientLine(this) + "\n");
                return default;
            case "LIST":
                var text = new StringBuilder();
                foreach (var client in _server.Clients.Values.OrderBy(c => c.Id))
                {
                    text.Append(ClientLine(client)).Append('\n');
                }

                _w.Verbatim(text.ToString());
                return default;
            case "SETNAME" or "GETNAME" or "ID" or "SETINFO" or "INFO":
                return Reply(SubcommandArity("client"));
            default:
                return Reply(UnknownSubcommand("CLIENT"));
        }
    }

    private string ClientLine(RespConnection c)
    {
        var now = _server.Time.GetUtcNow();
        return string.Create(CultureInfo.InvariantCulture,
            $"id={c.Id} addr={c._context.RemoteEndPoint} laddr={c._context.LocalEndPoint} fd=0 name={c.Name} age={(long)(now - c.CreatedAt).TotalSeconds} idle={(long)c.Idle.TotalSeconds} flags={c.ClientFlags()} db=0 sub={c._channels.Count} psub={c._patterns.Count} ssub={c._shardChannels.Count} multi={c.QueuedCommands} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem={Interlocked.Read(ref c._queuedBytes)} tot-mem=0 events=r cmd={c.LastCommand} user=default redir=-1 resp={c._w.Protocol} lib-name={c.LibName} lib-ver={c.LibVersion}");
    }

    private ValueTask Command()
    {
        if (_args.Count == 1)
        {
            _w.Array(CommandTable.All.Length);
            foreach (var spec in CommandTable.All)
            {
                WriteCommandInfo(spec);
            }

            return default;
        }

        switch (_args.String(1).ToUpperInvariant())
        {
            case "COUNT":
                _w.Integer(CommandTable.All.Length);
                return default;
            case "INFO":
            {
                CommandSpec?[] specs = _args.Count == 2 ? [.. CommandTable.All] : [.. Enumerable.Range(2, _args.Count - 2).Select(i => CommandTable.Find(_args[i]))];
                _w.Array(specs.Length);
                foreach (var spec in specs)
                {
                    if (spec is null)
                    {
                        _w.NullArray();
                    }
                    else
                    {
                        WriteCommandInfo(spec);
                    }
                }

                return default;
            }

            case "DOCS":
            {
                var specs = _args.Count == 2 ? CommandTable.All : [.. Enumerable.Range(2, _args.Count - 2).Select(i => CommandTable.Find(_args[i])).OfType<CommandSpec>()];
                _w.Map(specs.Length);
                foreach (var spec in specs)
                {
                    _w.Bulk(spec.Name);
                    _w.Map(3);
                    _w.Bulk("summary"u8);
                    _w.BulkText(spec.Summary);
                    _w.Bulk("since"u8);
                    _w.Bulk("1.0.0"u8);
                    _w.Bulk("group"u8);
                    _w.Bulk(spec.Group);
                }

                return default;
            }

            case "LIST":
                _w.Array(CommandTable.All.Length);
                foreach (var spec in CommandTable.All)
                {
                    _w.Bulk(spec.Name);
                }

                return default;
            default:
                return Reply(UnknownSubcommand("COMMAND"));
        }
    }

    private void WriteCommandInfo(CommandSpec spec)
    {
        _w.Array(10);
        _w.Bulk(spec.Name);
        _w.Integer(spec.Arity);
        var flags = spec.FlagWords();
        _w.Set(flags.Length);
        foreach (var f in flags)
        {
            _w.Bulk(f);
        }

        _w.Integer(spec.FirstKey);
        _w.Integer(spec.LastKey);
        _w.Integer(spec.Step);
        _w.Set(1);
        _w.Bulk("@" + spec.Group);
        _w.Set(0);
        _w.Array(0);
        _w.Array(0);
    }

    private ValueTask Info()
    {
        var all = _args.Count == 1 || _args.Is(1, "ALL"u8) || _args.Is(1, "EVERYTHING"u8) || _args.Is(1, "DEFAULT"u8);
        bool Wants(string section)
        {
            if (all)
            {
                return true;
            }

            for (var i = 1; i < _args.Count; i++)
            {
                if (_args.String(i).Equals(section, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var uptime = (long)(_server.Time.GetUtcNow() - _server.StartedAt).TotalSeconds;
        if (Wants("server"))
        {
            text.Append("# Server\r\n")
                .Append(inv, $"redis_version:{RedisVersion}\r\nredis_mode:standalone\r\nferry_server:ferry\r\nos:{Environment.OSVersion}\r\narch_bits:64\r\n")
                .Append(inv, $"process_id:{Environment.ProcessId}\r\ntcp_port:{_server.Port}\r\nuptime_in_seconds:{uptime}\r\nuptime_in_days:{uptime / 86400}\r\n\r\n");
        }

        if (Wants("clients"))
        {
            var clients = _server.Clients.Values.ToList();
            text.Append("# Clients\r\n")
                .Append(inv, $"connected_clients:{clients.Count}\r\nblocked_clients:0\r\npubsub_clients:{clients.Count(c => c.SubscriptionCount > 0)}\r\nmaxclients:10000\r\n\r\n");
        }

        if (Wants("memory"))
        {
            var used = GC.GetTotalMemory(false);
            var rss = Environment.WorkingSet;
            text.Append("# Memory\r\n")
                .Append(inv, $"used_memory:{used}\r\nused_memory_human:{used / 1024.0 / 1024.0:0.00}M\r\nused_memory_rss:{rss}\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n\r\n");
        }

        if (Wants("persistence"))
        {
            text.Append("# Persistence\r\n")
                .Append(inv, $"loading:0\r\naof_enabled:{(Options.Durability == "memory" ? 0 : 1)}\r\nferry_durability:{Options.Durability}\r\n");
            var journal = Broker.JournalStats;
            text.Append(inv, $"ferry_journal_segments:{journal.Segments}\r\nferry_journal_position:{journal.Tail}\r\nferry_journal_live_bytes:{journal.LiveBytes}\r\n")
                .Append(inv, $"ferry_journal_appends:{journal.Appends}\r\nferry_journal_batches:{journal.Batches}\r\nferry_journal_syncs:{journal.Syncs}\r\n\r\n");
        }

        if (Wants("stats"))
        {
            text.Append("# Stats\r\n")
                .Append(inv, $"total_connections_received:{_server.ConnectionsReceived}\r\ntotal_commands_processed:{_server.CommandsProcessed}\r\n")
                .Append(inv, $"pubsub_channels:{Broker.PubSub.Channels([], all: true, shard: false).Count}\r\npubsub_patterns:{Broker.PubSub.PatternCount}\r\npubsubshard_channels:{Broker.PubSub.Channels([], all: true, shard: true).Count}\r\n\r\n");
        }

        if (Wants("replication"))
        {
            text.Append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n");
        }

        if (Wants("keyspace"))
        {
            text.Append("# Keyspace\r\n");
            var keys = Streams.Count;
            if (keys > 0)
            {
                var (expires, averageTtl) = Streams.ExpiryStats();
                text.Append(inv, $"db0:keys={keys},expires={expires},avg_ttl={averageTtl}\r\n");
            }

            text.Append("\r\n");
        }

        var result = text.ToString();
        _w.Verbatim(result.EndsWith("\r\n\r\n", StringComparison.Ordinal) ? result[..^2] : result);
        return default;
    }

    /// <summary>CONFIG GET answers the parameters that clients and redis-benchmark read; CONFIG SET changes none.</summary>
    private ValueTask Config()
    {
        if (_args.Is(1, "GET"u8))
        {
            if (_args.Count < 3)
            {
                return Reply(SubcommandArity("config"));
            }

            var known = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["save"] = "",
                ["appendonly"] = Options.Durability == "memory" ? "no" : "yes",
                ["appendfsync"] = Options.Durability == "fsync" ? "always" : "everysec",
                ["databases"] = "1",
                ["slave-read-only"] = "yes",
                ["replica-read-only"] = "yes",
                ["proto-max-bulk-len"] = Options.MaxBulkLength.ToString(CultureInfo.InvariantCulture),
                ["stream-node-max-entries"] = "100",
            };
            var found = new List<KeyValuePair<string, string>>();
            for (var i = 2; i < _args.Count; i++)
            {
                var pattern = _args[i];
                foreach (var pair in known)
                {
                    if (Engine.RedisPubSub.GlobPattern.IsMatch(pattern, Encoding.Latin1.GetBytes(pair.Key)) && !found.Contains(pair))
                    {
                        found.Add(pair);
                    }
                }
            }

            _w.Map(found.Count);
            foreach (var (k, v) in found)
            {
                _w.Bulk(k);
                _w.Bulk(v);
            }

            return default;
        }

        if (_args.Is(1, "SET"u8))
        {
            return Reply($"ERR Unknown option or number of arguments for CONFIG SET - '{(_args.Count > 2 ? Printable(_args.String(2), 128) : "")}'");
        }

        if (_args.Is(1, "RESETSTAT"u8) || _args.Is(1, "REWRITE"u8))
        {
            _w.Ok();
            return default;
        }

        return Reply(UnknownSubcommand("CONFIG"));
    }

    private ValueTask Quit()
    {
        _w.Ok();
        _closeAfterReply = true;
        return default;
    }

    /// <summary>TIME: the server's clock as Unix seconds and the microseconds within the second.</summary>
    private ValueTask Time()
    {
        var micros = (_server.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        _w.Array(2);
        _w.Bulk(Encoding.ASCII.GetBytes((micros / 1_000_000).ToString(CultureInfo.InvariantCulture)));
        _w.Bulk(Encoding.ASCII.GetBytes((micros % 1_000_000).ToString(CultureInfo.InvariantCulture)));
        return default;
    }

    /// <summary>WAIT: Ferry has no replicas, so none acknowledges. Asked for any, it waits out the timeout (0: until
    /// the client goes), as a redis-server without replicas does, and answers 0.</summary>
    private async ValueTask Wait()
    {
        var replicas = Integer(1);
        var timeout = ReplicationTimeout(2);
        if (replicas > 0 && !_inExec)
        {
            await WaitOutAsync(timeout).ConfigureAwait(false);
        }

        _w.Integer(0);
    }

    /// <summary>WAITAOF numlocal numreplicas timeout: the first count is 1 once every write this connection made is
    /// on stable storage (in <c>fsync</c> mode each already was when it was answered; otherwise the journal syncs now),
    /// the second is 0 (no replicas, whose timeout is waited out as WAIT's).</summary>
    private async ValueTask WaitAof()
    {
        var local = Integer(1);
        var replicas = Integer(2);
        var timeout = ReplicationTimeout(3);
        if (Options.Durability == "memory")
        {
            if (local > 0)
            {
                throw Fail("ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
            }
        }
        else if (Options.Durability != "fsync")
        {
            await Broker.SyncAsync(_closed).ConfigureAwait(false);
        }

        if (replicas > 0 && !_inExec)
        {
            await WaitOutAsync(timeout).ConfigureAwait(false);
        }

        _w.Array(2);
        _w.Integer(Options.Durability == "memory" ? 0 : 1);
        _w.Integer(0);
    }

    /// <summary>WAIT's and WAITAOF's timeout in milliseconds (0: none), with Redis's errors.</summary>
    private long ReplicationTimeout(int index)
    {
        var timeout = Integer(index, "ERR timeout is not an integer or out of range");
        return timeout < 0 ? throw Fail("ERR timeout is negative") : timeout;
    }

    /// <summary>Waits <paramref name="milliseconds"/> (0: until the connection closes) for replicas Ferry does not have.</summary>
    private Task WaitOutAsync(long milliseconds) =>
        Task.Delay(milliseconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(milliseconds), _server.Time, _closed);

    private ValueTask Reset()
    {
        EndTransaction();
        UnsubscribeAll();
        _w.Protocol = 2;
        Name = null;
        Authenticated = Options.Password is null;
        _w.Simple("RESET"u8);
        return default;
    }
}
