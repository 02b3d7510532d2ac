namespace Ferry.Engine.Topics.Filtering;

/// <summary>What a subscription's filter policy is matched against (SNS's <c>FilterPolicyScope</c>).</summary>
public enum FilterPolicyScope
{
    /// <summary>The message attributes: each top-level policy key names an attribute. The SNS default.</summary>
    MessageAttributes,

    /// <summary>The message body, read as a JSON object: policy keys may nest, as the body's properties do.</summary>
    MessageBody,
}
