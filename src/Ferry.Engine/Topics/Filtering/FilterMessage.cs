using Ferry.Engine.Queues;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>How SNS reads an attribute for filtering, from its data type (custom labels such as
/// <c>Number.float</c> keep the base type).</summary>
internal enum AttributeKind : byte
{
    /// <summary>Binary: SNS ignores these attributes, as if they were not there.</summary>
    Ignored,
    String,
    Number,
    StringArray,
}

/// <summary>One published message as filter policies see it. Build it once per publish and match it against every
/// subscription's policy.</summary>
/// <remarks>Nothing is parsed up front. A String.Array attribute is parsed the first time a policy asks for it, and the
/// body the first time a <see cref="FilterPolicyScope.MessageBody"/> policy asks; each is kept for the policies after.
/// An instance may be matched from several threads: the lazily built parts are idempotent.</remarks>
public sealed class FilterMessage
{
    private readonly IReadOnlyList<MessageAttribute>? _attributes;
    private readonly string _body;
    private LeafValue[]?[]? _arrays;
    private BodyIndex? _bodyIndex;
    private bool _bodyRead;

    /// <param name="attributes">The message attributes, or null for none.</param>
    /// <param name="body">The message body as published (for <c>MessageStructure=json</c>, the text the policy should see).</param>
    public FilterMessage(IReadOnlyList<MessageAttribute>? attributes, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _attributes = attributes;
        _body = body;
        if (attributes is not null)
        {
            for (int i = 0; i < attributes.Count; i++)
            {
                if (KindOf(attributes[i].DataType) != AttributeKind.Ignored)
                {
                    HasFilterableAttributes = true;
                    break;
                }
            }
        }
    }

    /// <summary>SNS matches no attribute policy, not even <c>"exists": false</c>, against a message without
    /// attributes; Binary attributes do not count.</summary>
    internal bool HasFilterableAttributes { get; }

    /// <summary>The body as a flattened JSON object, or null when it is not a JSON object.</summary>
    internal BodyIndex? Body
    {
        get
        {
            if (!Volatile.Read(ref _bodyRead))
            {
                _bodyIndex = BodyIndex.TryBuild(_body);
                Volatile.Write(ref _bodyRead, true);
            }

            return _bodyIndex;
        }
    }

    internal static AttributeKind KindOf(string dataType)
    {
        if (dataType.StartsWith("Binary", StringComparison.Ordinal))
        {
            return AttributeKind.Ignored;
        }

        if (dataType.StartsWith("Number", StringComparison.Ordinal))
        {
            return AttributeKind.Number;
        }

        return string.Equals(dataType, "String.Array", StringComparison.Ordinal) ? AttributeKind.StringArray : AttributeKind.String;
    }

    /// <returns>The index of the attribute with that name, or -1 when there is none or it is Binary.</returns>
    internal int FindAttribute(string name, out MessageAttribute? attribute)
    {
        var attributes = _attributes;
        if (attributes is not null)
        {
            for (int i = 0; i < attributes.Count; i++)
            {
                var candidate = attributes[i];
                if (string.Equals(candidate.Name, name, StringComparison.Ordinal))
                {
                    attribute = candidate;
                    return KindOf(candidate.DataType) == AttributeKind.Ignored ? -1 : i;
                }
            }
        }

        attribute = null;
        return -1;
    }

    /// <summary>The elements of the String.Array attribute at <paramref name="index"/>, parsed on first use.</summary>
    internal ReadOnlySpan<LeafValue> ArrayElements(int index)
    {
        var arrays = _arrays ??= new LeafValue[]?[_attributes!.Count];
        return arrays[index] ??= StringArrayValues.Parse(_attributes![index].StringValue);
    }
}
