namespace Ferry.Engine.Topics.Filtering;

/// <summary>One key of a policy with its array of conditions, any of which may match.</summary>
internal sealed class FilterKey
{
    private readonly Condition[] _conditions;
    private readonly bool _matchesPresent;
    private readonly bool _matchesAbsent;

    /// <param name="path">The attribute name, or for the body the property names from the root joined by dots.</param>
    /// <param name="depth">How deeply the key is nested in the policy: 1 at the top level.</param>
    /// <param name="valueCount">How many entries the key's array has, for the complexity rule.</param>
    /// <param name="conditions">The value conditions; <c>exists</c> entries are the two flags instead.</param>
    /// <param name="matchesPresent">An <c>"exists": true</c> entry is in the array.</param>
    /// <param name="matchesAbsent">An <c>"exists": false</c> entry is in the array.</param>
    public FilterKey(string path, int depth, int valueCount, Condition[] conditions, bool matchesPresent, bool matchesAbsent)
    {
        Path = path;
        Depth = depth;
        ValueCount = valueCount;
        _conditions = conditions;
        _matchesPresent = matchesPresent;
        _matchesAbsent = matchesAbsent;
    }

    public string Path { get; }

    public int Depth { get; }

    public int ValueCount { get; }

    public bool MatchesAttributes(FilterMessage message)
    {
        int index = message.FindAttribute(Path, out var attribute);
        // SNS refuses empty attribute values at publish; an empty one here counts as not present.
        bool present = index >= 0 && !string.IsNullOrEmpty(attribute!.StringValue);
        if (present ? _matchesPresent : _matchesAbsent)
        {
            return true;
        }

        if (index < 0 || _conditions.Length == 0)
        {
            return false;
        }

        var text = attribute!.StringValue ?? string.Empty;
        switch (FilterMessage.KindOf(attribute.DataType))
        {
            case AttributeKind.StringArray:
                var elements = message.ArrayElements(index);
                foreach (var condition in _conditions)
                {
                    if (condition.MatchesArray(elements))
                    {
                        return true;
                    }
                }

                return false;

            case AttributeKind.Number:
                return AnyMatches(LeafValue.OfNumberText(text));

            default:
                return AnyMatches(LeafValue.OfString(text));
        }
    }

    public bool MatchesBody(BodyIndex body)
    {
        var leaves = body.Get(Path);
        bool present = false;
        foreach (ref readonly var leaf in leaves)
        {
            if (leaf.IsPresent)
            {
                present = true;
                break;
            }
        }

        if (present ? _matchesPresent : _matchesAbsent)
        {
            return true;
        }

        foreach (var condition in _conditions)
        {
            foreach (ref readonly var leaf in leaves)
            {
                if (condition.Matches(in leaf))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool AnyMatches(in LeafValue value)
    {
        foreach (var condition in _conditions)
        {
            if (condition.Matches(in value))
            {
                return true;
            }
        }

        return false;
    }
}
