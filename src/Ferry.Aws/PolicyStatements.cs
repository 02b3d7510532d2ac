using System.Text.Json;

namespace Ferry.Aws;

/// <summary>Counting what an access policy's statements hold, for the quotas SQS and SNS put on their policies.</summary>
internal static class PolicyStatements
{
    /// <summary>The statements of a policy document: its <c>Statement</c> array, a lone statement object, or none.</summary>
    public static JsonElement[] Of(JsonElement policy) =>
        !policy.TryGetProperty("Statement", out var statement) ? []
        : statement.ValueKind == JsonValueKind.Array ? [.. statement.EnumerateArray()]
        : [statement];

    /// <summary>The strings of a statement's member that holds a string or an array of them (Action, NotAction, ...).</summary>
    public static IEnumerable<string> Strings(JsonElement statement, string name) =>
        statement.ValueKind != JsonValueKind.Object || !statement.TryGetProperty(name, out var value) ? []
        : value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!),
            _ => [],
        };

    /// <summary>The principals a statement names in Principal and NotPrincipal: <c>"*"</c> counts one, an object
    /// (<c>{"AWS": ..., "Service": ...}</c>) the values under every key.</summary>
    public static int Principals(JsonElement statement)
    {
        if (statement.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }

        int count = 0;
        foreach (var name in (ReadOnlySpan<string>)["Principal", "NotPrincipal"])
        {
            if (!statement.TryGetProperty(name, out var principal))
            {
                continue;
            }

            if (principal.ValueKind == JsonValueKind.String)
            {
                count++;
                continue;
            }

            if (principal.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var kind in principal.EnumerateObject())
            {
                count += kind.Value.ValueKind switch
                {
                    JsonValueKind.String => 1,
                    JsonValueKind.Array => kind.Value.GetArrayLength(),
                    _ => 0,
                };
            }
        }

        return count;
    }
}
