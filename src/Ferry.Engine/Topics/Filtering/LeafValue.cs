namespace Ferry.Engine.Topics.Filtering;

/// <summary>The JSON type of one value a condition is matched against.</summary>
internal enum LeafKind : byte
{
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>One scalar from a message: a String or Number attribute, an element of a String.Array attribute, or a
/// leaf of the body. Types never mix: the string <c>"300"</c> is not the number <c>300</c>.</summary>
internal readonly struct LeafValue
{
    private LeafValue(LeafKind kind, string? text, long ticks, bool hasTicks)
    {
        Kind = kind;
        Text = text;
        Ticks = ticks;
        HasTicks = hasTicks;
    }

    public static LeafValue True => new(LeafKind.True, null, 0, false);

    public static LeafValue False => new(LeafKind.False, null, 0, false);

    public static LeafValue Null => new(LeafKind.Null, null, 0, false);

    public LeafKind Kind { get; }

    /// <summary>The value of a string; null for every other kind.</summary>
    public string? Text { get; }

    /// <summary>A number's comparable form (see <see cref="NumericKey"/>), when it is within SNS's range.</summary>
    public long Ticks { get; }

    public bool HasTicks { get; }

    /// <summary>What <c>"exists": true</c> asks for: SNS wants a value that is neither null nor empty.</summary>
    public bool IsPresent => Kind switch
    {
        LeafKind.Null => false,
        LeafKind.String => Text!.Length > 0,
        _ => true,
    };

    public static LeafValue OfString(string text) => new(LeafKind.String, text, 0, false);

    public static LeafValue OfNumber(double value) =>
        NumericKey.TryGetTicks(value, out var ticks) ? new(LeafKind.Number, null, ticks, true) : new(LeafKind.Number, null, 0, false);

    /// <summary>A Number attribute's value as published; one that does not parse compares equal to nothing.</summary>
    public static LeafValue OfNumberText(ReadOnlySpan<char> text) =>
        NumericKey.TryParseTicks(text, out var ticks) ? new(LeafKind.Number, null, ticks, true) : new(LeafKind.Number, null, 0, false);
}
