using System.Text;
using System.Text.Json;

namespace Ferry.Aws.Sqs;

/// <summary>
/// SQS's quotas on a queue's access policy: 8,192 bytes, 20 statements, 7 actions per statement, 50 principals and
/// 10 conditions (Amazon SQS policy quotas). A policy set with SetQueueAttributes or CreateQueue, or grown by
/// AddPermission, is checked against them before it is stored.
/// </summary>
/// <remarks>
/// SQS answers a policy over a quota with <c>OverLimit</c> and HTTP 403; the wording of the size and actions messages
/// is SQS's ("Submitted policy is over max allowed size.", "10 actions were found in a statement from the submitted
/// policy, max allowed is 7"), the other three follow the actions message. Principals count every value of a
/// statement's <c>Principal</c> / <c>NotPrincipal</c> (<c>"*"</c> is one); conditions count every key under every
/// condition operator; both are summed over the policy's statements.
/// </remarks>
internal static class QueuePolicyLimits
{
    public const int MaxBytes = 8192;
    public const int MaxStatements = 20;
    public const int MaxActionsPerStatement = 7;
    public const int MaxPrincipals = 50;
    public const int MaxConditions = 10;

    /// <summary>Throws SQS's error when <paramref name="policy"/> (a JSON object) is over one of the quotas.</summary>
    public static void Check(string policy)
    {
        if (Encoding.UTF8.GetByteCount(policy) > MaxBytes)
        {
            throw SqsErrors.PolicyOverLimit("Submitted policy is over max allowed size.");
        }

        using var document = JsonDocument.Parse(policy);
        var statements = PolicyStatements.Of(document.RootElement);
        if (statements.Length > MaxStatements)
        {
            throw SqsErrors.PolicyOverLimit($"{statements.Length} statements were found in the submitted policy, max allowed is {MaxStatements}");
        }

        int principals = 0;
        int conditions = 0;
        foreach (var one in statements)
        {
            int actions = PolicyStatements.Strings(one, "Action").Count() + PolicyStatements.Strings(one, "NotAction").Count();
            if (actions > MaxActionsPerStatement)
            {
                throw SqsErrors.PolicyOverLimit(
                    $"{actions} actions were found in a statement from the submitted policy, max allowed is {MaxActionsPerStatement}");
            }

            principals += PolicyStatements.Principals(one);
            if (one.ValueKind == JsonValueKind.Object && one.TryGetProperty("Condition", out var condition) && condition.ValueKind == JsonValueKind.Object)
            {
                foreach (var op in condition.EnumerateObject())
                {
                    conditions += op.Value.ValueKind == JsonValueKind.Object ? op.Value.EnumerateObject().Count() : 1;
                }
            }
        }

        if (principals > MaxPrincipals)
        {
            throw SqsErrors.PolicyOverLimit($"{principals} principals were found in the submitted policy, max allowed is {MaxPrincipals}");
        }

        if (conditions > MaxConditions)
        {
            throw SqsErrors.PolicyOverLimit($"{conditions} conditions were found in the submitted policy, max allowed is {MaxConditions}");
        }
    }
}
