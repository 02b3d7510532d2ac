using System.Globalization;

namespace Ferry.Aws.Sqs;

/// <summary>
/// Every error SQS answers, with AWS's JSON type, Query code, HTTP status and fault, and a factory per error that
/// builds the exception with AWS's wording of the message.
/// </summary>
/// <remarks>
/// Codes and query codes of modelled errors come from the <c>aws.protocols#awsQueryError</c> traits of SQS's Smithy
/// model (and the <c>error</c> blocks of botocore's Query-protocol model). Their HTTP status is 400 for every one of
/// them, as SQS's current API reference documents (the Query-era model still said 403 or 404 for a few, such as
/// PurgeQueueInProgress and ReceiptHandleIsInvalid). Errors SQS does not model
/// (InvalidParameterValue, MissingParameter, InvalidAction, ...) are AWS's common errors; their JSON types are the
/// ones AWS's framework answers with, and clients of the JSON protocol read the Query code from
/// <c>x-amzn-query-error</c>, so that is what they branch on in both protocols.
/// </remarks>
internal static class SqsErrors
{
    // Modelled errors (SQS service model).

    public static readonly SqsError QueueDoesNotExistShape = new("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, true);
    public static readonly SqsError QueueNameExistsShape = new("QueueNameExists", "QueueAlreadyExists", 400, true);
    public static readonly SqsError QueueDeletedRecentlyShape = new("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400, true);
    public static readonly SqsError InvalidAttributeNameShape = new("InvalidAttributeName", "InvalidAttributeName", 400, true);
    public static readonly SqsError InvalidAttributeValueShape = new("InvalidAttributeValue", "InvalidAttributeValue", 400, true);
    public static readonly SqsError InvalidIdFormatShape = new("InvalidIdFormat", "InvalidIdFormat", 400, true);
    public static readonly SqsError ReceiptHandleIsInvalidShape = new("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 400, true);
    public static readonly SqsError MessageNotInflightShape = new("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400, true);
    public static readonly SqsError PurgeQueueInProgressShape = new("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 400, true);
    public static readonly SqsError EmptyBatchRequestShape = new("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400, true);
    public static readonly SqsError TooManyEntriesInBatchRequestShape = new("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, true);
    public static readonly SqsError BatchEntryIdsNotDistinctShape = new("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, true);
    public static readonly SqsError InvalidBatchEntryIdShape = new("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400, true);
    public static readonly SqsError BatchRequestTooLongShape = new("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400, true);
    public static readonly SqsError InvalidMessageContentsShape = new("InvalidMessageContents", "InvalidMessageContents", 400, true);
    public static readonly SqsError UnsupportedOperationShape = new("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400, true);
    public static readonly SqsError ResourceNotFoundExceptionShape = new("ResourceNotFoundException", "ResourceNotFoundException", 400, true);
    public static readonly SqsError OverLimitShape = new("OverLimit", "OverLimit", 400, true);

    /// <summary>OverLimit as SQS answers it for a queue policy over its quotas: with HTTP 403 (seen from SQS by
    /// clients of both protocols), not the 400 of the other modelled errors.</summary>
    public static readonly SqsError PolicyOverLimitShape = new("OverLimit", "OverLimit", 403, true);
    public static readonly SqsError RequestThrottledShape = new("RequestThrottled", "RequestThrottled", 400, true);
    public static readonly SqsError InvalidAddressShape = new("InvalidAddress", "InvalidAddress", 400, true);
    public static readonly SqsError InvalidSecurityShape = new("InvalidSecurity", "InvalidSecurity", 400, true);
    public static readonly SqsError KmsAccessDeniedShape = new("KmsAccessDenied", "KMS.AccessDeniedException", 400, true);
    public static readonly SqsError KmsDisabledShape = new("KmsDisabled", "KMS.DisabledException", 400, true);
    public static readonly SqsError KmsInvalidKeyUsageShape = new("KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException", 400, true);
    public static readonly SqsError KmsInvalidStateShape = new("KmsInvalidState", "KMS.InvalidStateException", 400, true);
    public static readonly SqsError KmsNotFoundShape = new("KmsNotFound", "KMS.NotFoundException", 400, true);
    public static readonly SqsError KmsOptInRequiredShape = new("KmsOptInRequired", "KMS.OptInRequired", 400, true);
    public static readonly SqsError KmsThrottledShape = new("KmsThrottled", "KMS.ThrottlingException", 400, true);

    // Common errors (not in the model).
    public static readonly SqsError InvalidParameterValueShape = new("InvalidParameterValueException", "InvalidParameterValue", 400, true);
    public static readonly SqsError MissingParameterShape = new("MissingRequiredParameterException", "MissingParameter", 400, true);
    public static readonly SqsError InvalidQueryParameterShape = new("InvalidQueryParameter", "InvalidQueryParameter", 400, true);
    public static readonly SqsError MalformedQueryStringShape = new("MalformedQueryString", "MalformedQueryString", 400, true);
    public static readonly SqsError InvalidActionShape = new("UnknownOperationException", "InvalidAction", 400, true) { JsonType = SqsError.CoralNamespace + "UnknownOperationException" };
    public static readonly SqsError SerializationExceptionShape = new("SerializationException", "SerializationException", 400, true) { JsonType = SqsError.CoralNamespace + "SerializationException" };
    public static readonly SqsError AccessDeniedShape = new("AccessDeniedException", "AccessDenied", 403, true) { JsonType = SqsError.CoralNamespace + "AccessDeniedException" };
    public static readonly SqsError InternalErrorShape = new("InternalFailure", "InternalError", 500, false) { JsonType = SqsError.CoralNamespace + "InternalFailure" };
    public static readonly SqsError ServiceUnavailableShape = new("ServiceUnavailable", "ServiceUnavailable", 503, false) { JsonType = SqsError.CoralNamespace + "ServiceUnavailable" };

    /// <summary>The message body characters SQS accepts, as AWS words them in InvalidMessageContents.</summary>
    public const string AllowedCharacters = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

    public static SqsException QueueDoesNotExist() =>
        new(QueueDoesNotExistShape, "The specified queue does not exist.");

    /// <param name="attributeNames">The attributes whose values differ, comma-separated (<c>VisibilityTimeout</c>).</param>
    public static SqsException QueueNameExists(string attributeNames) =>
        new(QueueNameExistsShape, $"A queue already exists with the same name and a different value for attribute(s) {attributeNames}");

    public static SqsException QueueDeletedRecently() =>
        new(QueueDeletedRecentlyShape, "You must wait 60 seconds after deleting a queue before you can create another queue with the same name.");

    /// <param name="attributeName">The attribute that SQS does not know.</param>
    public static SqsException InvalidAttributeName(string attributeName) =>
        new(InvalidAttributeNameShape, $"Unknown Attribute {attributeName}.");

    /// <param name="attributeName">The attribute whose value is refused.</param>
    /// <param name="reason">Why, when there is more to say than the attribute's name (AWS then words it "Reason: ...").</param>
    public static SqsException InvalidAttributeValue(string attributeName, string? reason = null) =>
        new(InvalidAttributeValueShape, reason is null
            ? $"Invalid value for the parameter {attributeName}."
            : $"Invalid value for the parameter {attributeName}. Reason: {reason}");

    public static SqsException InvalidIdFormat() =>
        new(InvalidIdFormatShape, "The specified receipt handle isn't valid for the current version.");

    public static SqsException ReceiptHandleIsInvalid(string receiptHandle) =>
        new(ReceiptHandleIsInvalidShape, $"The input receipt handle \"{receiptHandle}\" is not a valid receipt handle.");

    public static SqsException MessageNotInflight() =>
        new(MessageNotInflightShape, "Message does not exist or is not available for visibility timeout change.");

    /// <param name="queueName">The queue's name (AWS names it, not its URL).</param>
    public static SqsException PurgeQueueInProgress(string queueName) =>
        new(PurgeQueueInProgressShape, $"Only one PurgeQueue operation on {queueName} is allowed every 60 seconds.");

    /// <param name="entryName">The entry shape of the action, e.g. <c>SendMessageBatchRequestEntry</c>.</param>
    public static SqsException EmptyBatchRequest(string entryName = "SendMessageBatchRequestEntry") =>
        new(EmptyBatchRequestShape, $"There should be at least one {entryName} in the request.");

    public static SqsException TooManyEntriesInBatchRequest(int entries = SqsValidation.MaxBatchEntries + 1) =>
        new(TooManyEntriesInBatchRequestShape, string.Create(CultureInfo.InvariantCulture,
            $"Maximum number of entries per request are {SqsValidation.MaxBatchEntries}. You have sent {entries}."));

    public static SqsException BatchEntryIdsNotDistinct(string id) =>
        new(BatchEntryIdsNotDistinctShape, $"Id {id} repeated.");

    public static SqsException InvalidBatchEntryId() =>
        new(InvalidBatchEntryIdShape, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");

    /// <param name="maximumBytes">The queue's MaximumMessageSize.</param>
    /// <param name="sentBytes">The total size of the batch's messages.</param>
    public static SqsException BatchRequestTooLong(int maximumBytes, long sentBytes) =>
        new(BatchRequestTooLongShape, string.Create(CultureInfo.InvariantCulture,
            $"Batch requests cannot be longer than {maximumBytes} bytes. You have sent {sentBytes} bytes."));

    /// <param name="invalid">The first code point outside the allowed set.</param>
    public static SqsException InvalidMessageContents(int invalid) =>
        new(InvalidMessageContentsShape, string.Create(CultureInfo.InvariantCulture,
            $"Invalid binary character '#x{invalid:X}' was found in the message body, the set of allowed characters is {AllowedCharacters}"));

    public static SqsException UnsupportedOperation(string message) => new(UnsupportedOperationShape, message);

    public static SqsException ResourceNotFoundException(string message) => new(ResourceNotFoundExceptionShape, message);

    public static SqsException OverLimit(string message) => new(OverLimitShape, message);

    public static SqsException PolicyOverLimit(string message) => new(PolicyOverLimitShape, message);

    public static SqsException RequestThrottled() => new(RequestThrottledShape, "Request is throttled.");

    public static SqsException InvalidAddress() => new(InvalidAddressShape, "The address is not valid for this endpoint.");

    public static SqsException InvalidSecurity() =>
        new(InvalidSecurityShape, "The request was not made over HTTPS or did not use SigV4 for signing.");

    public static SqsException AccessDenied() =>
        new(AccessDeniedShape, "Access to the resource is denied.");

    public static SqsException KmsAccessDenied(string message) => new(KmsAccessDeniedShape, message);
    public static SqsException KmsDisabled(string message) => new(KmsDisabledShape, message);
    public static SqsException KmsInvalidKeyUsage(string message) => new(KmsInvalidKeyUsageShape, message);
    public static SqsException KmsInvalidState(string message) => new(KmsInvalidStateShape, message);
    public static SqsException KmsNotFound(string message) => new(KmsNotFoundShape, message);
    public static SqsException KmsOptInRequired(string message) => new(KmsOptInRequiredShape, message);
    public static SqsException KmsThrottled(string message) => new(KmsThrottledShape, message);

    /// <summary>A free-form InvalidParameterValue, for the messages AWS words without the "Value x for parameter" form.</summary>
    public static SqsException InvalidParameterValue(string message) => new(InvalidParameterValueShape, message);

    /// <summary>AWS's usual wording: <c>Value 901 for parameter DelaySeconds is invalid. Reason: Must be &gt;= 0 and &lt;= 900.</c></summary>
    public static SqsException InvalidParameterValue(string parameter, string? value, string reason) =>
        new(InvalidParameterValueShape, $"Value {value} for parameter {parameter} is invalid. Reason: {reason}");

    public static SqsException MissingParameter(string parameter) =>
        new(MissingParameterShape, $"The request must contain the parameter {parameter}.");

    public static SqsException InvalidQueryParameter(string message) => new(InvalidQueryParameterShape, message);

    public static SqsException MalformedQueryString(string message) => new(MalformedQueryStringShape, message);

    public static SqsException InvalidAction(string action) =>
        new(InvalidActionShape, $"The action {action} is not valid for this endpoint.");

    public static SqsException SerializationException(string? detail = null) =>
        new(SerializationExceptionShape, detail ?? "Start of structure or map found where not expected.");

    public static SqsException InternalError() =>
        new(InternalErrorShape, "We encountered an internal error. Please try again.");

    public static SqsException ServiceUnavailable() =>
        new(ServiceUnavailableShape, "The request has failed due to a temporary failure of the server.");
}
