using System.Text.Json;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>The two operators with a grammar of their own: <c>numeric</c> and <c>anything-but</c>.</summary>
internal sealed partial class FilterPolicyCompiler
{
    /// <summary><c>["=", n]</c>, <c>["&lt;", n]</c>, <c>["&lt;=", n]</c>, or <c>["&gt;", n]</c> / <c>["&gt;=", n]</c>
    /// optionally followed by <c>"&lt;", m</c> / <c>"&lt;=", m</c>; checked term by term in SNS's order.</summary>
    private static NumericCondition CompileNumeric(JsonElement array)
    {
        var terms = new List<JsonElement>();
        foreach (var term in array.EnumerateArray())
        {
            terms.Add(term);
        }

        JsonElement? At(int index) => index < terms.Count ? terms[index] : null;
        static bool IsNumber(JsonElement? term) => term?.ValueKind == JsonValueKind.Number;

        var first = At(0);
        if (first?.ValueKind != JsonValueKind.String)
        {
            throw new FilterPolicyException("Invalid member in numeric match: " + TokenText(first));
        }

        var op = first.Value.GetString()!;
        var value = At(1);
        switch (op)
        {
            case "=":
                if (!IsNumber(value))
                {
                    throw new FilterPolicyException("Value of equals must be numeric");
                }

                if (terms.Count > 2)
                {
                    throw new FilterPolicyException(TooManyElements);
                }

                return NumericCondition.EqualTo(Ticks(value!.Value));

            case "<" or "<=":
                if (!IsNumber(value))
                {
                    throw new FilterPolicyException($"Value of {op} must be numeric");
                }

                if (terms.Count > 2)
                {
                    throw new FilterPolicyException(TooManyElements);
                }

                var top = Ticks(value!.Value);
                return new NumericCondition(long.MinValue, op == "<" ? top - 1 : top);

            case ">" or ">=":
                if (!IsNumber(value))
                {
                    throw new FilterPolicyException($"Value of {op} must be numeric");
                }

                if (terms.Count == 2)
                {
                    var bottom = Ticks(value!.Value);
                    return new NumericCondition(op == ">" ? bottom + 1 : bottom, long.MaxValue);
                }

                return CompleteRange(op, value!.Value, At(2), At(3), terms.Count);

            default:
                throw new FilterPolicyException("Unrecognized numeric range operator: " + op);
        }
    }

    private static NumericCondition CompleteRange(string lowOp, JsonElement low, JsonElement? highOpTerm, JsonElement? high, int termCount)
    {
        if (highOpTerm?.ValueKind != JsonValueKind.String)
        {
            throw new FilterPolicyException("Bad value in numeric range: " + TokenText(highOpTerm));
        }

        var highOp = highOpTerm.Value.GetString()!;
        if (highOp is not ("<" or "<="))
        {
            throw new FilterPolicyException("Bad numeric range operator: " + highOp);
        }

        if (high?.ValueKind != JsonValueKind.Number)
        {
            throw new FilterPolicyException($"Value of {highOp} must be numeric");
        }

        if (termCount > 4)
        {
            throw new FilterPolicyException("Too many terms in numeric range expression");
        }

        if (!low.TryGetDouble(out var lowValue) || !high.Value.TryGetDouble(out var highValue))
        {
            throw new FilterPolicyException(NumericKey.RangeMessage);
        }

        if (lowValue >= highValue)
        {
            throw new FilterPolicyException("Bottom must be less than top");
        }

        var bottom = Ticks(low);
        var top = Ticks(high.Value);
        return new NumericCondition(lowOp == ">" ? bottom + 1 : bottom, highOp == "<" ? top - 1 : top);
    }

    /// <summary>A string, a number, a list of strings or of numbers, or <c>{"prefix": "..."}</c>.</summary>
    private static AnythingButCondition CompileAnythingBut(JsonElement operand)
    {
        switch (operand.ValueKind)
        {
            case JsonValueKind.Object:
                return CompileAnythingButPrefix(operand);
            case JsonValueKind.String:
                return new AnythingButStringsCondition([operand.GetString()!]);
            case JsonValueKind.Number:
                return new AnythingButNumbersCondition([Ticks(operand)]);
            case JsonValueKind.Array:
                break;
            default:
                throw new FilterPolicyException("Value of anything-but must be an array or single string/number value.");
        }

        var strings = new List<string>();
        var numbers = new List<long>();
        foreach (var element in operand.EnumerateArray())
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    strings.Add(element.GetString()!);
                    break;
                case JsonValueKind.Number:
                    numbers.Add(Ticks(element));
                    break;
                default:
                    throw new FilterPolicyException("Inside anything but list, start|null|boolean is not supported.");
            }
        }

        if ((strings.Count > 0) == (numbers.Count > 0))
        {
            throw new FilterPolicyException("Inside anything but list, either all values are number or string, mixed type is not supported");
        }

        return strings.Count > 0 ? new AnythingButStringsCondition([.. strings]) : new AnythingButNumbersCondition([.. numbers]);
    }

    private static AnythingButPrefixCondition CompileAnythingButPrefix(JsonElement operand)
    {
        using var members = operand.EnumerateObject();
        if (!members.MoveNext())
        {
            throw new FilterPolicyException("Anything-But expression name not found");
        }

        var member = members.Current;
        if (member.Name != "prefix")
        {
            throw new FilterPolicyException("Unsupported anything-but pattern: " + member.Name);
        }

        var prefix = StringOperand(member.Value, "prefix match pattern must be a string");
        if (prefix.Length == 0)
        {
            throw new FilterPolicyException("Null prefix not allowed");
        }

        if (members.MoveNext())
        {
            throw new FilterPolicyException(OnlyOneKey);
        }

        return new AnythingButPrefixCondition(prefix);
    }
}
