namespace Ferry.Aws.Sqs;

/// <summary>What the protocol layer knows about one SQS call besides its request: who asked, where, and how.</summary>
internal sealed class SqsCallContext
{
    public SqsCallContext(string requestId, string scheme, string host)
    {
        RequestId = requestId;
        Scheme = scheme;
        Host = host;
    }

    /// <summary>The id returned in <c>x-amzn-RequestId</c> and in the Query response's <c>RequestId</c>.</summary>
    public string RequestId { get; }

    /// <summary><c>http</c> or <c>https</c>, as the client reached Ferry; queue URLs use it.</summary>
    public string Scheme { get; }

    /// <summary>The Host header, port included (<c>localhost:4566</c>); queue URLs use it.</summary>
    public string Host { get; }

    /// <summary>The access key id from the SigV4 credential, or null for an unsigned request.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>The region from the SigV4 credential scope, or null for an unsigned request.</summary>
    public string? Region { get; init; }

    /// <summary>True for the Query (form/XML) protocol, false for AWS JSON 1.0.</summary>
    public bool IsQueryProtocol { get; init; }

    /// <summary>
    /// The queue URL named by the request path (<c>http://host/123456789012/orders</c>) when a Query request was
    /// sent to the queue's URL instead of carrying a QueueUrl parameter; null otherwise. The Query binder already
    /// puts it in the request's QueueUrl when that parameter is absent.
    /// </summary>
    public string? QueueUrlFromPath { get; init; }

    /// <summary>The base of every queue URL of this call: <c>scheme://host</c>.</summary>
    public string BaseUrl => Scheme + "://" + Host;
}
