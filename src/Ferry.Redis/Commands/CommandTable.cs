using System.Text;

namespace Ferry.Redis.Commands;

[Flags]
internal enum CommandFlags
{
    None = 0,

    /// <summary>Allowed before AUTH when a password is set.</summary>
    NoAuth = 1,

    /// <summary>Allowed in RESP2 subscriber mode.</summary>
    PubSubContext = 2,

    Write = 4,

    ReadOnly = 8,

    /// <summary>Its reply waits for durability and may be deferred behind the next command's execution.</summary>
    Deferrable = 16,

    Blocking = 32,
}

/// <summary>A command's name, arity (Redis's convention: n exactly, -n at least n), flags, key positions and the
/// words COMMAND DOCS gives.</summary>
internal sealed record CommandSpec(string Name, int Arity, CommandFlags Flags, int FirstKey, int LastKey, int Step, string Group, string Summary)
{
    public string[] FlagWords()
    {
        var words = new List<string>();
        if (Flags.HasFlag(CommandFlags.Write))
        {
            words.Add("write");
        }

        if (Flags.HasFlag(CommandFlags.ReadOnly))
        {
            words.Add("readonly");
        }

        if (Flags.HasFlag(CommandFlags.PubSubContext))
        {
            words.Add("pubsub");
        }

        if (Flags.HasFlag(CommandFlags.NoAuth))
        {
            words.Add("no_auth");
        }

        if (Flags.HasFlag(CommandFlags.Blocking))
        {
            words.Add("blocking");
        }

        words.Add("fast");
        return [.. words];
    }
}

/// <summary>Every command Ferry's RESP face knows.</summary>
internal static class CommandTable
{
    private const CommandFlags W = CommandFlags.Write;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags P = CommandFlags.PubSubContext;
    private const CommandFlags N = CommandFlags.NoAuth;

    public static readonly CommandSpec[] All =
    [
        new("ping", -1, P, 0, 0, 0, "connection", "Returns the server's liveliness response."),
        new("echo", 2, CommandFlags.None, 0, 0, 0, "connection", "Returns the given string."),
        new("hello", -1, N, 0, 0, 0, "connection", "Handshakes with the Redis server."),
        new("auth", -2, N, 0, 0, 0, "connection", "Authenticates the connection."),
        new("select", 2, CommandFlags.None, 0, 0, 0, "connection", "Changes the selected database."),
        new("client", -2, CommandFlags.None, 0, 0, 0, "connection", "A container for client connection commands."),
        new("command", -1, CommandFlags.None, 0, 0, 0, "server", "Returns detailed information about all commands."),
        new("info", -1, CommandFlags.None, 0, 0, 0, "server", "Returns information and statistics about the server."),
        new("config", -2, CommandFlags.None, 0, 0, 0, "server", "A container for server configuration commands."),
        new("quit", -1, N | P, 0, 0, 0, "connection", "Closes the connection."),
        new("reset", 1, P, 0, 0, 0, "connection", "Resets the connection."),
        new("dbsize", 1, R, 0, 0, 0, "server", "Returns the number of keys in the database."),
        new("exists", -2, R, 1, -1, 1, "generic", "Determines whether one or more keys exist."),
        new("type", 2, R, 1, 1, 1, "generic", "Determines the type of value stored at a key."),
        new("del", -2, W, 1, -1, 1, "generic", "Deletes one or more keys."),
        new("touch", -2, R, 1, -1, 1, "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed."),
        new("rename", 3, W, 1, 2, 1, "generic", "Renames a key and overwrites the destination."),
        new("renamenx", 3, W, 1, 2, 1, "generic", "Renames a key only when the target key name doesn't exist."),
        new("randomkey", 1, R, 0, 0, 0, "generic", "Returns a random key name from the database."),
        new("expire", -3, W, 1, 1, 1, "generic", "Sets the expiration time of a key in seconds."),
        new("pexpire", -3, W, 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds."),
        new("expireat", -3, W, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp."),
        new("pexpireat", -3, W, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp."),
        new("ttl", 2, R, 1, 1, 1, "generic", "Returns the expiration time in seconds of a key."),
        new("pttl", 2, R, 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key."),
        new("expiretime", 2, R, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix timestamp."),
        new("pexpiretime", 2, R, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp."),
        new("persist", 2, W, 1, 1, 1, "generic", "Removes the expiration time of a key."),
        new("unlink", -2, W, 1, -1, 1, "generic", "Asynchronously deletes one or more keys."),
        new("keys", 2, R, 0, 0, 0, "generic", "Returns all key names that match a pattern."),
        new("scan", -2, R, 0, 0, 0, "generic", "Iterates over the key names in the database."),
        new("flushall", -1, W, 0, 0, 0, "server", "Removes all keys from all databases."),
        new("flushdb", -1, W, 0, 0, 0, "server", "Remove all keys from the current database."),
        new("publish", 3, P, 0, 0, 0, "pubsub", "Posts a message to a channel."),
        new("subscribe", -2, P, 0, 0, 0, "pubsub", "Listens for messages published to channels."),
        new("unsubscribe", -1, P, 0, 0, 0, "pubsub", "Stops listening to messages posted to channels."),
        new("psubscribe", -2, P, 0, 0, 0, "pubsub", "Listens for messages published to channels that match one or more patterns."),
        new("punsubscribe", -1, P, 0, 0, 0, "pubsub", "Stops listening to messages published to channels that match one or more patterns."),
        new("spublish", 3, CommandFlags.None, 1, 1, 1, "pubsub", "Post a message to a shard channel"),
        new("ssubscribe", -2, P, 1, -1, 1, "pubsub", "Listens for messages published to shard channels."),
        new("sunsubscribe", -1, P, 1, -1, 1, "pubsub", "Stops listening to messages posted to shard channels."),
        new("pubsub", -2, CommandFlags.None, 0, 0, 0, "pubsub", "A container for Pub/Sub commands."),
        new("xadd", -5, W | CommandFlags.Deferrable, 1, 1, 1, "stream", "Appends a new message to a stream. Creates the key if it doesn't exist."),
        new("xlen", 2, R, 1, 1, 1, "stream", "Return the number of messages in a stream."),
        new("xrange", -4, R, 1, 1, 1, "stream", "Returns the messages from a stream within a range of IDs."),
        new("xrevrange", -4, R, 1, 1, 1, "stream", "Returns the messages from a stream within a range of IDs in reverse order."),
        new("xread", -4, R | CommandFlags.Blocking, 0, 0, 0, "stream", "Returns messages from multiple streams with IDs greater than the ones requested."),
        new("xreadgroup", -7, W | CommandFlags.Blocking, 0, 0, 0, "stream", "Returns new or historical messages from a stream for a consumer in a group."),
        new("xdel", -3, W, 1, 1, 1, "stream", "Returns the number of messages after removing them from a stream."),
        new("xtrim", -4, W, 1, 1, 1, "stream", "Deletes messages from the beginning of a stream."),
        new("xsetid", -3, W, 1, 1, 1, "stream", "An internal command for replicating stream values."),
        new("xgroup", -2, W, 0, 0, 0, "stream", "A container for consumer groups commands."),
        new("xack", -4, W | CommandFlags.Deferrable, 1, 1, 1, "stream", "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream."),
        new("xpending", -3, R, 1, 1, 1, "stream", "Returns the information and entries from a stream consumer group's pending entries list."),
        new("xclaim", -6, W, 1, 1, 1, "stream", "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member."),
        new("xautoclaim", -6, W, 1, 1, 1, "stream", "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member."),
        new("xinfo", -2, R, 0, 0, 0, "stream", "A container for stream introspection commands."),
        new("time", 1, CommandFlags.None, 0, 0, 0, "server", "Returns the server time."),
        new("wait", 3, CommandFlags.Blocking, 0, 0, 0, "generic", "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed."),
        new("waitaof", 4, CommandFlags.Blocking, 0, 0, 0, "generic", "Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas."),
        new("multi", 1, CommandFlags.None, 0, 0, 0, "transactions", "Starts a transaction."),
        new("exec", 1, CommandFlags.None, 0, 0, 0, "transactions", "Executes all commands in a transaction."),
        new("discard", 1, CommandFlags.None, 0, 0, 0, "transactions", "Discards a transaction."),
        new("watch", -2, CommandFlags.None, 1, -1, 1, "transactions", "Monitors changes to keys to determine the execution of a transaction."),
        new("unwatch", 1, CommandFlags.None, 0, 0, 0, "transactions", "Forgets about watched keys of a transaction."),
    ];

    /// <summary>Redis's subcommands of the container commands, with their arity (the command's word counted). Inside
    /// MULTI, Redis checks a subcommand's name and arity before queueing it, as it does a command's.</summary>
    public static readonly Dictionary<string, Dictionary<string, int>> Subcommands = new(StringComparer.Ordinal)
    {
        ["xgroup"] = Arities(("create", -5), ("createconsumer", 5), ("delconsumer", 5), ("destroy", 4), ("setid", -5), ("help", 2)),
        ["xinfo"] = Arities(("consumers", 4), ("groups", 3), ("stream", -3), ("help", 2)),
        ["pubsub"] = Arities(("channels", -2), ("numpat", 2), ("numsub", -2), ("shardchannels", -2), ("shardnumsub", -2), ("help", 2)),
        ["client"] = Arities(("caching", 3), ("getname", 2), ("getredir", 2), ("id", 2), ("info", 2), ("kill", -3), ("list", -2),
            ("no-evict", 3), ("no-touch", 3), ("pause", -3), ("reply", 3), ("setinfo", 4), ("setname", 3), ("tracking", -3),
            ("trackinginfo", 2), ("unblock", -3), ("unpause", 2), ("help", 2)),
        ["config"] = Arities(("get", -3), ("set", -4), ("resetstat", 2), ("rewrite", 2), ("help", 2)),
        ["command"] = Arities(("count", 2), ("docs", -2), ("getkeys", -3), ("getkeysandflags", -3), ("info", -2), ("list", -2), ("help", 2)),
    };

    private static Dictionary<string, int> Arities(params (string Name, int Arity)[] subcommands) =>
        subcommands.ToDictionary(s => s.Name, s => s.Arity, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, CommandSpec> ByName = All.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>> Lookup = ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly CommandSpec Ping = ByName["ping"];
    private static readonly CommandSpec Publish = ByName["publish"];
    private static readonly CommandSpec XAdd = ByName["xadd"];
    private static readonly CommandSpec XAck = ByName["xack"];
    private static readonly CommandSpec XReadGroup = ByName["xreadgroup"];

    /// <summary>The command named by <paramref name="name"/> (any case), or null.</summary>
    public static CommandSpec? Find(ReadOnlySpan<byte> name)
    {
        // The commands of the hot paths by their bytes, before any decoding.
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "PING"u8):
                return Ping;
            case 4 when Ascii.EqualsIgnoreCase(name, "XADD"u8):
                return XAdd;
            case 4 when Ascii.EqualsIgnoreCase(name, "XACK"u8):
                return XAck;
            case 7 when Ascii.EqualsIgnoreCase(name, "PUBLISH"u8):
                return Publish;
            case 10 when Ascii.EqualsIgnoreCase(name, "XREADGROUP"u8):
                return XReadGroup;
            case > 32:
                return null;
            default:
                break;
        }

        Span<char> chars = stackalloc char[name.Length];
        Encoding.Latin1.GetChars(name, chars);
        return Lookup.TryGetValue(chars, out var spec) ? spec : null;
    }

    public static CommandSpec? Find(string name) => ByName.GetValueOrDefault(name);
}
