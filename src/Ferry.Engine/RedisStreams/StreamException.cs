namespace Ferry.Engine.RedisStreams;

/// <summary>A stream command is refused; the message is Redis's error line, starting with its code (ERR, NOGROUP,
/// BUSYGROUP, ...), because Redis clients branch on exactly that text.</summary>
public sealed class StreamException : Exception
{
    public StreamException(string message)
        : base(message)
    {
    }

    public StreamException()
    {
    }

    public StreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>XGROUP's answer when the key does not exist (and CREATE has no MKSTREAM).</summary>
    public const string XGroupKeyMustExist = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";

    internal static StreamException NoGroup(string key, string group) => new($"NOGROUP No such key '{key}' or consumer group '{group}'");

    internal static StreamException InvalidId() => new("ERR Invalid stream ID specified as stream command argument");
}
