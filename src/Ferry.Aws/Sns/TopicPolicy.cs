using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace Ferry.Aws.Sns;

/// <summary>
/// What SNS accepts in a topic's access policy: its quotas (30 KB, 100 statements, 200 principals) and actions in SNS's
/// topic scope. A policy set with CreateTopic or SetTopicAttributes, or grown by AddPermission, is checked before it
/// is stored.
/// </summary>
/// <remarks>
/// An action outside the scope is answered as SNS answers it ("Invalid parameter: Policy statement action out of
/// service scope!"): any action of another service, or an SNS action that is not about a topic (CreateTopic,
/// SetSubscriptionAttributes, ...). Wildcards (<c>*</c>, <c>sns:*</c>, <c>sns:Get*</c>) are accepted. SNS's wording for
/// the quotas is not documented; they answer InvalidParameter naming the quota.
/// </remarks>
internal static class TopicPolicy
{
    public const int MaxBytes = 30 * 1024;
    public const int MaxStatements = 100;
    public const int MaxPrincipals = 200;

    /// <summary>The actions a topic policy may name, as <c>sns:</c> actions or AddPermission's ActionName.</summary>
    public static readonly FrozenSet<string> TopicActions = FrozenSet.ToFrozenSet(
    [
        "AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes", "ListSubscriptionsByTopic",
        "ListTagsForResource", "Publish", "PutDataProtectionPolicy", "Receive", "RemovePermission", "SetTopicAttributes",
        "Subscribe",
    ], StringComparer.OrdinalIgnoreCase);

    public static SnsException OutOfScope() => SnsException.InvalidParameter("Policy statement action out of service scope!");

    /// <summary>Throws SNS's InvalidParameter when <paramref name="policy"/> (a JSON object) is over a quota or
    /// names an action outside a topic's scope.</summary>
    public static void Check(string policy)
    {
        int bytes = Encoding.UTF8.GetByteCount(policy);
        if (bytes > MaxBytes)
        {
            throw SnsException.InvalidParameter($"Policy Error: the policy is {bytes} bytes, over the maximum of {MaxBytes}");
        }

        using var document = JsonDocument.Parse(policy);
        var statements = PolicyStatements.Of(document.RootElement);
        if (statements.Length > MaxStatements)
        {
            throw SnsException.InvalidParameter(
                $"Policy Error: {statements.Length} statements were found in the policy, the maximum is {MaxStatements}");
        }

        int principals = 0;
        foreach (var one in statements)
        {
            if (PolicyStatements.Strings(one, "Action").Concat(PolicyStatements.Strings(one, "NotAction")).Any(a => !InScope(a)))
            {
                throw OutOfScope();
            }

            principals += PolicyStatements.Principals(one);
        }

        if (principals > MaxPrincipals)
        {
            throw SnsException.InvalidParameter(
                $"Policy Error: {principals} principals were found in the policy, the maximum is {MaxPrincipals}");
        }
    }

    /// <summary>Whether a policy's action is one a topic policy may grant (<c>sns:</c> and a topic action, or a wildcard).</summary>
    private static bool InScope(string action)
    {
        if (action == "*")
        {
            return true;
        }

        if (!action.StartsWith("sns:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var name = action.AsSpan(4);
        return name.IndexOfAny('*', '?') >= 0 || TopicActions.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name);
    }
}
