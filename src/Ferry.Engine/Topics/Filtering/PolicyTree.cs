namespace Ferry.Engine.Topics.Filtering;

/// <summary>Keys that must all match, and <c>$or</c> groups each of which must have a matching alternative. Nested
/// objects are folded into the keys of the object around them, with dotted paths.</summary>
internal sealed class AndNode
{
    public List<FilterKey> Keys { get; } = [];

    public List<OrNode> Ors { get; } = [];

    /// <summary>SNS's complexity: the product, over the keys, of each key's number of values times its nesting depth;
    /// an <c>$or</c> contributes the sum of its alternatives. Stops counting at <paramref name="cap"/>.</summary>
    public long Combinations(long cap)
    {
        long total = 1;
        foreach (var key in Keys)
        {
            total = Math.Min(cap, total * key.ValueCount * key.Depth);
        }

        foreach (var or in Ors)
        {
            long sum = 0;
            foreach (var alternative in or.Alternatives)
            {
                sum = Math.Min(cap, sum + alternative.Combinations(cap));
            }

            total = Math.Min(cap, total * sum);
        }

        return total;
    }

    public void CollectKeys(List<FilterKey> into)
    {
        into.AddRange(Keys);
        foreach (var or in Ors)
        {
            foreach (var alternative in or.Alternatives)
            {
                alternative.CollectKeys(into);
            }
        }
    }

    /// <summary>The policy as an OR of ANDs. Each branch counts at least one combination, so a policy within the
    /// complexity limit has at most that many branches.</summary>
    public List<List<FilterKey>> Branches()
    {
        var branches = new List<List<FilterKey>> { new(Keys) };
        foreach (var or in Ors)
        {
            var next = new List<List<FilterKey>>();
            foreach (var alternative in or.Alternatives)
            {
                foreach (var tail in alternative.Branches())
                {
                    foreach (var head in branches)
                    {
                        next.Add([.. head, .. tail]);
                    }
                }
            }

            branches = next;
        }

        return branches;
    }
}

internal sealed class OrNode
{
    public List<AndNode> Alternatives { get; } = [];
}
