using System.Text.Json;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>A key's array: literal values and match expressions (<c>{"prefix": ...}</c> and the like).</summary>
internal sealed partial class FilterPolicyCompiler
{
    private const string OnlyOneKey = "Only one key allowed in match expression";
    private const string TooManyElements = "Too many elements in numeric expression";

    private static FilterKey CompileKey(string path, int depth, JsonElement array)
    {
        var conditions = new List<Condition>();
        bool matchesPresent = false, matchesAbsent = false;
        int count = 0;
        foreach (var element in array.EnumerateArray())
        {
            count++;
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var condition = CompileMatchExpression(element, ref matchesPresent, ref matchesAbsent);
                    if (condition is not null)
                    {
                        conditions.Add(condition);
                    }

                    break;
                case JsonValueKind.String:
                    conditions.Add(new ExactStringCondition(element.GetString()!));
                    break;
                case JsonValueKind.Number:
                    conditions.Add(NumericCondition.EqualTo(Ticks(element)));
                    break;
                case JsonValueKind.True:
                    conditions.Add(new LiteralCondition(LeafKind.True));
                    break;
                case JsonValueKind.False:
                    conditions.Add(new LiteralCondition(LeafKind.False));
                    break;
                case JsonValueKind.Null:
                    conditions.Add(new LiteralCondition(LeafKind.Null));
                    break;
                default:
                    throw new FilterPolicyException("Match value must be String, number, true, false, or null");
            }
        }

        if (count == 0)
        {
            throw new FilterPolicyException("Empty arrays are not allowed");
        }

        return new FilterKey(path, depth, count, [.. conditions], matchesPresent, matchesAbsent);
    }

    /// <returns>The condition, or null for an <c>exists</c> expression, which sets one of the two flags instead.</returns>
    private static Condition? CompileMatchExpression(JsonElement expression, ref bool matchesPresent, ref bool matchesAbsent)
    {
        using var members = expression.EnumerateObject();
        if (!members.MoveNext())
        {
            throw new FilterPolicyException("Match expression name not found");
        }

        var member = members.Current;
        var operand = member.Value;
        var extraKeyMessage = OnlyOneKey;
        Condition? condition = null;
        switch (member.Name)
        {
            case "prefix":
                condition = new PrefixCondition(StringOperand(operand, "prefix match pattern must be a string"));
                break;
            case "suffix":
                condition = new SuffixCondition(StringOperand(operand, "suffix match pattern must be a string"));
                break;
            case "equals-ignore-case":
                condition = new EqualsIgnoreCaseCondition(StringOperand(operand, "equals-ignore-case match pattern must be a string"));
                break;
            case "cidr":
                // SNS's matcher words a cidr that is not a string as it words a prefix that is not one.
                condition = new CidrCondition(IpRange.Parse(StringOperand(operand, "prefix match pattern must be a string")));
                break;
            case "exists":
                if (operand.ValueKind == JsonValueKind.True)
                {
                    matchesPresent = true;
                }
                else if (operand.ValueKind == JsonValueKind.False)
                {
                    matchesAbsent = true;
                }
                else
                {
                    throw new FilterPolicyException("exists match pattern must be either true or false.");
                }

                break;
            case "numeric":
                if (operand.ValueKind != JsonValueKind.Array)
                {
                    throw new FilterPolicyException("Value of numeric must be an array.");
                }

                condition = CompileNumeric(operand);
                extraKeyMessage = TooManyElements;
                break;
            case "anything-but":
                condition = CompileAnythingBut(operand);
                if (operand.ValueKind != JsonValueKind.Object)
                {
                    extraKeyMessage = TooManyElements;
                }

                break;
            default:
                throw new FilterPolicyException("Unrecognized match type " + member.Name);
        }

        if (members.MoveNext())
        {
            throw new FilterPolicyException(extraKeyMessage);
        }

        return condition;
    }

    private static string StringOperand(JsonElement operand, string message) =>
        operand.ValueKind == JsonValueKind.String ? operand.GetString()! : throw new FilterPolicyException(message);

    /// <summary>A policy number as ticks, refused outside SNS's range.</summary>
    private static long Ticks(JsonElement number) =>
        number.TryGetDouble(out var value) && NumericKey.TryGetTicks(value, out var ticks)
            ? ticks
            : throw new FilterPolicyException(NumericKey.RangeMessage);

    /// <summary>A token as SNS's parser prints it in a message: the text of a scalar, or the bracket that opens a
    /// structure.</summary>
    private static string TokenText(JsonElement? element) => element?.ValueKind switch
    {
        null => "]",
        JsonValueKind.String => element.Value.GetString()!,
        JsonValueKind.Object => "{",
        JsonValueKind.Array => "[",
        _ => element.Value.GetRawText(),
    };
}
