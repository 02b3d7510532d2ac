namespace Ferry.Aws.Sqs;

/// <summary>
/// One AWS error as both SQS protocols spell it: <paramref name="Code"/> is the short name of the JSON
/// <c>__type</c> (<c>QueueDoesNotExist</c>), <paramref name="QueryCode"/> the Query protocol's code
/// (<c>AWS.SimpleQueueService.NonExistentQueue</c>), which JSON responses also carry in <c>x-amzn-query-error</c>.
/// </summary>
internal sealed record SqsError(string Code, string QueryCode, int HttpStatus, bool SenderFault)
{
    /// <summary>The namespace of errors that SQS's own model defines.</summary>
    public const string SqsNamespace = "com.amazonaws.sqs#";

    /// <summary>The namespace of errors raised by AWS's service framework before SQS sees the request.</summary>
    public const string CoralNamespace = "com.amazon.coral.service#";

    /// <summary>The full JSON <c>__type</c>, e.g. <c>com.amazonaws.sqs#QueueDoesNotExist</c>.</summary>
    public string JsonType { get; init; } = SqsNamespace + Code;

    /// <summary><c>Sender</c> or <c>Receiver</c>: the Query error's Type and the suffix of <c>x-amzn-query-error</c>.</summary>
    public string FaultType => SenderFault ? "Sender" : "Receiver";
}
