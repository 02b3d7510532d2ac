namespace Ferry.Storage;

/// <summary>The journal could not do what was asked.</summary>
public class JournalException : Exception
{
    public JournalException() { }

    public JournalException(string message) : base(message) { }

    public JournalException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The journal found damage it must not repair: data after the damage may have been acknowledged.</summary>
public sealed class JournalCorruptException : JournalException
{
    public JournalCorruptException(string file, long offset, string reason)
        : base($"Journal file '{file}' is corrupt at offset {offset}: {reason}. Ferry will not start on damaged data; "
            + "restore the data directory from a backup, or move the file away to start without it.")
    {
        File = file;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The damaged file.</summary>
    public string File { get; }

    /// <summary>The byte offset of the damage in <see cref="File"/>.</summary>
    public long Offset { get; }

    /// <summary>What is wrong there.</summary>
    public string Reason { get; }
}

/// <summary>The journal can no longer accept writes (a failed fsync, or it was disposed).</summary>
public sealed class JournalUnavailableException : JournalException
{
    public JournalUnavailableException(string message) : base(message) { }

    public JournalUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
