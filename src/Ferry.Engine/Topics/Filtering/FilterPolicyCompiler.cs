using System.Text.Json;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>Turns a parsed policy into an <see cref="AndNode"/>, refusing it in SNS's words at the first fault in
/// document order, as SNS's streaming parser does.</summary>
/// <remarks>
/// <c>$or</c> is an operator only when its value is an array of at least two objects none of which uses a reserved
/// word as a field name; otherwise SNS reads it as an ordinary key. Like SNS, the compiler first reads the policy with
/// <c>$or</c> as an operator and, if that fails anywhere, reads it again with <c>$or</c> as a key; the second reading's
/// outcome stands.
/// </remarks>
internal sealed partial class FilterPolicyCompiler
{
    private const string OrKeyword = "$or";

    /// <summary>Field names that keep an object inside <c>$or</c> from being an alternative: the match operators and the
    /// words SNS's matcher reserves for operators to come.</summary>
    private static readonly HashSet<string> ReservedInOr = new(StringComparer.Ordinal)
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
        "=", "<", "<=", ">", ">=",
        "regex", "not-wildcard", "not-equals-ignore-case",
        "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
        "ip-address-in-range", "ip-address-not-in-range",
    };

    private readonly bool _orIsOperator;
    private bool _sawOr;

    private FilterPolicyCompiler(bool orIsOperator) => _orIsOperator = orIsOperator;

    public static AndNode Compile(JsonElement root)
    {
        var withOr = new FilterPolicyCompiler(orIsOperator: true);
        try
        {
            return withOr.CompileRoot(root);
        }
        catch (FilterPolicyException) when (withOr._sawOr)
        {
            return new FilterPolicyCompiler(orIsOperator: false).CompileRoot(root);
        }
    }

    private AndNode CompileRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FilterPolicyException("Filter is not an object");
        }

        var node = new AndNode();
        CompileObject(root, prefix: string.Empty, depth: 1, node, insideOr: false);
        return node;
    }

    private void CompileObject(JsonElement element, string prefix, int depth, AndNode into, bool insideOr)
    {
        bool any = false;
        foreach (var property in element.EnumerateObject())
        {
            any = true;
            if (property.NameEquals(OrKeyword))
            {
                _sawOr = true;
                if (_orIsOperator)
                {
                    CompileOr(property.Value, prefix, depth, into);
                    continue;
                }
            }

            var name = property.Name;
            if (insideOr && ReservedInOr.Contains(name))
            {
                throw new FilterPolicyException(name + " is Ruler reserved fieldName which cannot be used inside $or.");
            }

            var path = prefix.Length == 0 ? name : prefix + "." + name;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    CompileObject(property.Value, path, depth + 1, into, insideOr);
                    break;
                case JsonValueKind.Array:
                    into.Keys.Add(CompileKey(path, depth, property.Value));
                    break;
                default:
                    throw new FilterPolicyException($"\"{name}\" must be an object or an array");
            }
        }

        if (!any)
        {
            throw new FilterPolicyException("Empty objects are not allowed");
        }
    }

    private void CompileOr(JsonElement value, string prefix, int depth, AndNode into)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FilterPolicyException("It must be an Array followed with $or.");
        }

        var or = new OrNode();
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new FilterPolicyException("Only JSON object is allowed in array of $or relationship.");
            }

            var alternative = new AndNode();
            CompileObject(element, prefix, depth, alternative, insideOr: true);
            or.Alternatives.Add(alternative);
        }

        if (or.Alternatives.Count < 2)
        {
            throw new FilterPolicyException("There must have at least 2 Objects in $or relationship.");
        }

        into.Ors.Add(or);
    }
}
