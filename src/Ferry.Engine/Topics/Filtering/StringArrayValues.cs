using System.Text;
using System.Text.Json;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>Reads a String.Array attribute's value: a JSON array whose strings, numbers, booleans and nulls are
/// matched one by one, each as its own JSON type. Nested arrays and objects are skipped.</summary>
internal static class StringArrayValues
{
    public static LeafValue[] Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return [];
        }

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(value));
        var elements = new List<LeafValue>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return [];
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        reader.Skip();
                        break;
                    default:
                        elements.Add(BodyIndex.Leaf(ref reader));
                        break;
                }
            }

            // Anything after the array makes the whole value malformed.
            while (reader.Read())
            {
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: an escaped lone surrogate, which no string holds; unreadable like bad JSON.
            return [];
        }

        return [.. elements];
    }
}
