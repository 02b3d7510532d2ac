using System.Globalization;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>Numbers as SNS compares them: within ±10⁹, truncated to a whole number of millionths, so that
/// <c>300</c>, <c>300.0</c> and <c>3e2</c> are one value and every comparison is exact integer arithmetic.</summary>
internal static class NumericKey
{
    /// <summary>SNS accepts numbers from -10⁹ to 10⁹ in a policy and compares message numbers only within that range.</summary>
    public const double Limit = 1e9;

    /// <summary>SNS's refusal of a policy number outside <see cref="Limit"/>.</summary>
    public const string RangeMessage = "Value must be between -1.0E9 and 1.0E9, inclusive";

    /// <summary>Six decimal places are kept, so the five that SNS documents as accurate are exact. (1e9 + 1e9) × 1e6 =
    /// 2e15 stays below 2⁵³, where doubles still hold every integer.</summary>
    private const double Scale = 1e6;

    public static bool TryGetTicks(double value, out long ticks)
    {
        // Written so that NaN fails too.
        if (!(value >= -Limit && value <= Limit))
        {
            ticks = 0;
            return false;
        }

        ticks = (long)(Scale * (Limit + value));
        return true;
    }

    public static bool TryParseTicks(ReadOnlySpan<char> text, out long ticks)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return TryGetTicks(value, out ticks);
        }

        ticks = 0;
        return false;
    }
}
