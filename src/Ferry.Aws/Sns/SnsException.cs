namespace Ferry.Aws.Sns;

/// <summary>An SNS error: the Query code, the HTTP status and SNS's message, answered as an <c>ErrorResponse</c>.</summary>
internal sealed class SnsException : Exception
{
    public SnsException(string code, int httpStatus, string message, bool senderFault = true)
        : base(message)
    {
        Code = code;
        HttpStatus = httpStatus;
        SenderFault = senderFault;
    }

    public SnsException()
        : this("InternalError", 500, "Internal Error", senderFault: false)
    {
    }

    public SnsException(string message)
        : this("InternalError", 500, message, senderFault: false)
    {
    }

    public SnsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "InternalError";
        HttpStatus = 500;
    }

    public string Code { get; }

    public int HttpStatus { get; }

    public bool SenderFault { get; }

    /// <summary>InvalidParameter (400): SNS prefixes the detail with "Invalid parameter: ".</summary>
    public static SnsException InvalidParameter(string detail) => new("InvalidParameter", 400, "Invalid parameter: " + detail);

    /// <summary>ParameterValueInvalid (400), for message attributes.</summary>
    public static SnsException ParameterValueInvalid(string message) => new("ParameterValueInvalid", 400, message);

    public static SnsException NotFound(string message) => new("NotFound", 404, message);

    public static SnsException TopicNotFound() => NotFound("Topic does not exist");

    public static SnsException SubscriptionNotFound() => NotFound("Subscription does not exist");

    public static SnsException ResourceNotFound() => new("ResourceNotFound", 404, "Resource does not exist");

    /// <summary>An action or protocol Ferry does not serve (mobile push, SMS, email, data protection).</summary>
    public static SnsException NotSupported(string what) =>
        new("InvalidAction", 400, what + " is not supported by Ferry: it serves topics with queue and HTTP/S subscriptions.");

    public static SnsException MissingParameter(string name) =>
        InvalidParameter(name + " Reason: no value for required parameter");
}
