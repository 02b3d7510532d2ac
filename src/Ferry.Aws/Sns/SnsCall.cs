using Ferry.Aws.Sqs.Query;

namespace Ferry.Aws.Sns;

/// <summary>One SNS request: its parameters and what the answer needs.</summary>
internal sealed class SnsCall(QueryParameters parameters, string requestId)
{
    public QueryParameters Parameters { get; } = parameters;

    public string RequestId { get; } = requestId;

    /// <summary>A required parameter, or InvalidParameter as SNS words a missing one.</summary>
    public string Required(string name) =>
        Parameters[name] is { Length: > 0 } value ? value : throw SnsException.MissingParameter(name);

    public string? Optional(string name) => Parameters[name];

    /// <summary><c>Attributes.entry.N.key</c> / <c>.value</c>.</summary>
    public Dictionary<string, string>? Attributes(string prefix = "Attributes") => Parameters.Map(prefix + ".entry", "key", "value");

    /// <summary><c>Tags.member.N.Key</c> / <c>.Value</c>.</summary>
    public Dictionary<string, string>? Tags(string prefix = "Tags") => Parameters.Map(prefix + ".member", "Key", "Value");
}
