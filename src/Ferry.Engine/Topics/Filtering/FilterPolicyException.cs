namespace Ferry.Engine.Topics.Filtering;

/// <summary>A filter policy that SNS refuses, worded as SNS words it.</summary>
/// <remarks>
/// SNS answers <c>InvalidParameter</c> with the text <c>Invalid parameter: FilterPolicy: </c> followed by
/// <see cref="Exception.Message"/>; <see cref="InvalidParameterMessage"/> is everything after <c>Invalid parameter: </c>,
/// which also covers the one refusal SNS does not attribute to the <c>FilterPolicy</c> parameter. Where SNS appends the
/// position of a JSON token (<c>\n at [Source: ...; line: 1, column: N]</c>), the position is left out.
/// </remarks>
public sealed class FilterPolicyException : Exception
{
    public FilterPolicyException()
        : this("Filter policy is not valid")
    {
    }

    public FilterPolicyException(string message)
        : base(message)
    {
        NamesFilterPolicy = true;
    }

    public FilterPolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
        NamesFilterPolicy = true;
    }

    internal FilterPolicyException(string message, bool namesFilterPolicy)
        : base(message)
    {
        NamesFilterPolicy = namesFilterPolicy;
    }

    /// <summary>True when SNS reports this error as <c>Invalid parameter: FilterPolicy: {Message}</c>; false for the
    /// error it reports as <c>Invalid parameter: {Message}</c> (a nested policy in the <c>MessageAttributes</c> scope).</summary>
    public bool NamesFilterPolicy { get; }

    /// <summary>The text that follows <c>Invalid parameter: </c> in SNS's error message.</summary>
    public string InvalidParameterMessage => NamesFilterPolicy ? "FilterPolicy: " + Message : Message;
}
