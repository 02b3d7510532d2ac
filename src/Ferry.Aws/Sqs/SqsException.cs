namespace Ferry.Aws.Sqs;

/// <summary>An AWS error of an SQS call: thrown by the protocol layer and the service, answered in the caller's protocol.</summary>
internal sealed class SqsException : Exception
{
    public SqsException(SqsError error, string message)
        : base(message)
    {
        Error = error;
    }

    public SqsException()
        : this(SqsErrors.InternalErrorShape, "We encountered an internal error. Please try again.")
    {
    }

    public SqsException(string message)
        : this(SqsErrors.InternalErrorShape, message)
    {
    }

    public SqsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = SqsErrors.InternalErrorShape;
    }

    public SqsError Error { get; }
}
