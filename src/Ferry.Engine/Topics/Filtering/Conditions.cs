namespace Ferry.Engine.Topics.Filtering;

/// <summary>One entry of a policy key's array, compiled. Matching never allocates.</summary>
internal abstract class Condition
{
    public abstract bool Matches(in LeafValue value);

    /// <summary>A String.Array attribute: by default, any element matching is enough.</summary>
    public virtual bool MatchesArray(ReadOnlySpan<LeafValue> elements)
    {
        foreach (ref readonly var element in elements)
        {
            if (Matches(in element))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A string in the policy: equal code units. A string that is an IP address also equals other spellings
/// of that address (<c>::1</c> and <c>0:0:0:0:0:0:0:1</c>), as SNS's matcher stores such values as addresses.</summary>
internal sealed class ExactStringCondition : Condition
{
    private readonly string _value;
    private readonly bool _isAddress;
    private readonly IpAddressValue _address;

    public ExactStringCondition(string value)
    {
        _value = value;
        _isAddress = IpAddressText.TryParse(value, out _address) == IpParseResult.Ok;
    }

    public override bool Matches(in LeafValue value) =>
        value.Kind == LeafKind.String
        && (string.Equals(value.Text, _value, StringComparison.Ordinal)
            || (_isAddress && IpAddressText.TryParse(value.Text, out var address) == IpParseResult.Ok && address.SameAs(_address)));
}

/// <summary><c>true</c>, <c>false</c> or <c>null</c> in the policy: only that JSON literal matches.</summary>
internal sealed class LiteralCondition(LeafKind kind) : Condition
{
    public override bool Matches(in LeafValue value) => value.Kind == kind;
}

internal sealed class PrefixCondition(string prefix) : Condition
{
    public override bool Matches(in LeafValue value) =>
        value.Kind == LeafKind.String && value.Text!.StartsWith(prefix, StringComparison.Ordinal);
}

internal sealed class SuffixCondition(string suffix) : Condition
{
    public override bool Matches(in LeafValue value) =>
        value.Kind == LeafKind.String && value.Text!.EndsWith(suffix, StringComparison.Ordinal);
}

internal sealed class EqualsIgnoreCaseCondition(string text) : Condition
{
    public override bool Matches(in LeafValue value) =>
        value.Kind == LeafKind.String && string.Equals(value.Text, text, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A number in the policy, <c>{"numeric": [...]}</c> with one or two bounds: an interval of ticks.</summary>
internal sealed class NumericCondition : Condition
{
    private readonly long _low;
    private readonly long _high;

    /// <param name="low">The lowest matching ticks, inclusive; <see cref="long.MinValue"/> when unbounded.</param>
    /// <param name="high">The highest matching ticks, inclusive; <see cref="long.MaxValue"/> when unbounded.</param>
    public NumericCondition(long low, long high)
    {
        _low = low;
        _high = high;
    }

    public static NumericCondition EqualTo(long ticks) => new(ticks, ticks);

    public override bool Matches(in LeafValue value) =>
        value.Kind == LeafKind.Number && value.HasTicks && value.Ticks >= _low && value.Ticks <= _high;
}

internal sealed class CidrCondition(IpRange range) : Condition
{
    public override bool Matches(in LeafValue value) =>
        value.Kind == LeafKind.String
        && IpAddressText.TryParse(value.Text, out var address) == IpParseResult.Ok
        && range.Contains(address);
}

/// <summary><c>anything-but</c>: any value that is not excluded. A key that is absent matches nothing (pair it with
/// <c>"exists": false</c> for that); values of another type are not excluded.</summary>
internal abstract class AnythingButCondition : Condition
{
    public override bool Matches(in LeafValue value) => !Excludes(in value);

    /// <summary>A String.Array attribute matches only when none of its elements is excluded, as SNS documents.</summary>
    public override bool MatchesArray(ReadOnlySpan<LeafValue> elements)
    {
        if (elements.IsEmpty)
        {
            return false;
        }

        foreach (ref readonly var element in elements)
        {
            if (Excludes(in element))
            {
                return false;
            }
        }

        return true;
    }

    protected abstract bool Excludes(in LeafValue value);
}

internal sealed class AnythingButStringsCondition : AnythingButCondition
{
    /// <summary>Past this many values a hash set beats a scan.</summary>
    private const int ScanLimit = 8;

    private readonly string[] _values;
    private readonly HashSet<string>? _set;

    public AnythingButStringsCondition(string[] values)
    {
        _values = values;
        _set = values.Length > ScanLimit ? new HashSet<string>(values, StringComparer.Ordinal) : null;
    }

    protected override bool Excludes(in LeafValue value)
    {
        if (value.Kind != LeafKind.String)
        {
            return false;
        }

        if (_set is not null)
        {
            return _set.Contains(value.Text!);
        }

        foreach (var excluded in _values)
        {
            if (string.Equals(excluded, value.Text, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class AnythingButNumbersCondition : AnythingButCondition
{
    private readonly long[] _sortedTicks;

    public AnythingButNumbersCondition(long[] ticks)
    {
        _sortedTicks = ticks;
        Array.Sort(_sortedTicks);
    }

    protected override bool Excludes(in LeafValue value) =>
        value.Kind == LeafKind.Number && value.HasTicks && Array.BinarySearch(_sortedTicks, value.Ticks) >= 0;
}

internal sealed class AnythingButPrefixCondition(string prefix) : AnythingButCondition
{
    protected override bool Excludes(in LeafValue value) =>
        value.Kind == LeafKind.String && value.Text!.StartsWith(prefix, StringComparison.Ordinal);
}
