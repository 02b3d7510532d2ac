using System.Text;
using System.Text.Json;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>An SNS subscription filter policy, parsed and validated once and compiled into an immutable matcher.</summary>
/// <remarks>
/// The policy is held as an OR of branches, each an AND of keys, each an OR of conditions (<c>$or</c> is expanded
/// when the policy is parsed; the complexity limit bounds the expansion). <see cref="Matches"/> allocates nothing for
/// String and Number attributes; String.Array attributes and the body are parsed once per <see cref="FilterMessage"/>.
/// </remarks>
public sealed class FilterPolicy
{
    /// <summary>SNS's limit on a policy's size, 256 KB, counted here in UTF-8 bytes.</summary>
    public const int MaxSizeInBytes = 256 * 1024;

    /// <summary>SNS's limit on keys: attribute names, or for a body policy the keys that hold arrays.</summary>
    public const int MaxKeys = 5;

    /// <summary>SNS's limit on the combinations of values a policy describes.</summary>
    public const int MaxCombinations = 150;

    /// <summary>How deeply a policy's JSON may nest; far beyond any policy within the other limits.</summary>
    private const int MaxDepth = 64;

    private readonly FilterKey[][] _branches;

    private FilterPolicy(FilterPolicyScope scope, FilterKey[][] branches)
    {
        Scope = scope;
        _branches = branches;
    }

    public FilterPolicyScope Scope { get; }

    /// <summary>Parses and validates a policy; refuses it as SNS would, with SNS's wording.</summary>
    /// <remarks>An empty policy is how SNS clears one; callers handle that before calling here.</remarks>
    /// <exception cref="FilterPolicyException">The policy is not one SNS accepts.</exception>
    public static FilterPolicy Parse(string json, FilterPolicyScope scope)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!Enum.IsDefined(scope))
        {
            throw new ArgumentOutOfRangeException(nameof(scope));
        }

        if (Encoding.UTF8.GetByteCount(json) > MaxSizeInBytes)
        {
            throw new FilterPolicyException("Filter policy can not be larger than 256 KB");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FilterPolicyException("failed to parse JSON.", e);
        }

        AndNode tree;
        using (document)
        {
            try
            {
                tree = FilterPolicyCompiler.Compile(document.RootElement);
            }
            catch (InvalidOperationException e)
            {
                // A name or string escaping a lone surrogate (\uD800): valid JSON syntax that no string can hold.
                throw new FilterPolicyException("failed to parse JSON.", e);
            }
        }

        var keys = new List<FilterKey>();
        tree.CollectKeys(keys);
        if (scope == FilterPolicyScope.MessageAttributes && keys.Exists(k => k.Depth > 1))
        {
            throw new FilterPolicyException(
                "Filter policy scope MessageAttributes does not support nested filter policy", namesFilterPolicy: false);
        }

        if (keys.Select(k => k.Path).Distinct(StringComparer.Ordinal).Count() > MaxKeys)
        {
            throw new FilterPolicyException($"Filter policy can not have more than {MaxKeys} keys");
        }

        if (tree.Combinations(cap: MaxCombinations + 1) > MaxCombinations)
        {
            throw new FilterPolicyException("Filter policy is too complex");
        }

        return new FilterPolicy(scope, [.. tree.Branches().Select(b => b.ToArray())]);
    }

    /// <summary>True when the subscription accepts the message.</summary>
    /// <remarks>As in SNS, an attribute policy matches nothing, not even <c>"exists": false</c>, when the message has
    /// no attributes other than Binary ones; a body policy matches nothing when the body is not a JSON object or holds
    /// no value at all.</remarks>
    public bool Matches(FilterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Scope == FilterPolicyScope.MessageAttributes)
        {
            if (!message.HasFilterableAttributes)
            {
                return false;
            }

            foreach (var branch in _branches)
            {
                if (AllMatchAttributes(branch, message))
                {
                    return true;
                }
            }

            return false;
        }

        var body = message.Body;
        if (body is null || body.IsEmpty)
        {
            return false;
        }

        foreach (var branch in _branches)
        {
            if (AllMatchBody(branch, body))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllMatchAttributes(FilterKey[] branch, FilterMessage message)
    {
        foreach (var key in branch)
        {
            if (!key.MatchesAttributes(message))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllMatchBody(FilterKey[] branch, BodyIndex body)
    {
        foreach (var key in branch)
        {
            if (!key.MatchesBody(body))
            {
                return false;
            }
        }

        return true;
    }
}
