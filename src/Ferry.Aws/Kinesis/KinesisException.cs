using Ferry.Engine;

namespace Ferry.Aws.Kinesis;

/// <summary>A Kinesis error: its <c>__type</c>, HTTP status and message, as AWS answers it.</summary>
internal sealed class KinesisException(string type, string message, int status = 400) : Exception(message)
{
    public string Type { get; } = type;

    public int Status { get; } = status;

    public static KinesisException NotFound(string message) => new("ResourceNotFoundException", message);

    public static KinesisException InUse(string message) => new("ResourceInUseException", message);

    public static KinesisException InvalidArgument(string message) => new("InvalidArgumentException", message);

    public static KinesisException LimitExceeded(string message) => new("LimitExceededException", message);

    public static KinesisException Serialization(string message) => new("SerializationException", message);

    public static KinesisException UnknownOperation() => new("UnknownOperationException", "");

    public static KinesisException InternalFailure() => new("InternalFailure", "", 500);

    /// <summary>One constraint violation, worded as AWS's request validation words it.</summary>
    public static KinesisException Validation(string value, string member, string constraint) =>
        new("ValidationException", $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}");

    public static KinesisException Missing(string member) =>
        new("ValidationException", $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");

    /// <summary>Maps an engine refusal to Kinesis's error.</summary>
    public static KinesisException From(EngineException e) => e.Error switch
    {
        EngineError.ResourceNotFound => NotFound(e.Message),
        EngineError.ResourceInUse => InUse(e.Message),
        EngineError.LimitExceeded => LimitExceeded(e.Message),
        EngineError.ExpiredIterator => new("ExpiredIteratorException", e.Message),
        EngineError.ExpiredNextToken => new("ExpiredNextTokenException", e.Message),
        EngineError.ProvisionedThroughputExceeded => new("ProvisionedThroughputExceededException", e.Message),
        EngineError.ServiceUnavailable => new("ServiceUnavailable", e.Message, 503),
        _ => InvalidArgument(e.Message),
    };
}
