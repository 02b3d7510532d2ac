namespace Ferry.Engine;

/// <summary>Why an engine operation was refused; protocol faces map each kind to their own error.</summary>
public enum EngineError
{
    QueueDoesNotExist,
    QueueNameExists,
    QueueDeletedRecently,
    ReceiptHandleIsInvalid,
    MessageNotInflight,
    PurgeQueueInProgress,
    InvalidParameterValue,
    ResourceNotFound,
    UnsupportedOperation,
    OverLimit,
    ResourceInUse,
    InvalidArgument,
    LimitExceeded,
    ExpiredIterator,
    ExpiredNextToken,
    ProvisionedThroughputExceeded,

    /// <summary>The journal's disk is full: nothing changed; retry once space is freed.</summary>
    ServiceUnavailable,
}

/// <summary>An operation the engine refused, with a message in the words clients expect.</summary>
public sealed class EngineException(EngineError error, string message) : Exception(message)
{
    public EngineError Error { get; } = error;
}
