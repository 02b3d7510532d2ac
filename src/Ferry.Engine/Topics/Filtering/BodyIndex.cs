using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>A message body read as a JSON object and flattened: every scalar under the path of property names that
/// leads to it, joined by dots, with array elements under the path of their array.</summary>
/// <remarks>SNS matches a policy key <c>a.b</c> and the nested keys <c>{"a": {"b": ...}}</c> alike, against a body
/// property <c>"a.b"</c> or a nested <c>{"a": {"b": ...}}</c>; joining names with dots gives exactly that. An array
/// matches when any of its elements does, at any depth of arrays within arrays.</remarks>
internal sealed class BodyIndex
{
    /// <summary>Deeper bodies than SNS's own parser takes are not read: such a body matches no body policy.</summary>
    private const int MaxDepth = 1000;

    /// <summary>
    /// The characters of flattened paths one body may produce, at least: a path repeats the names of every object
    /// around it, so a body nested a thousand deep under long names would flatten to paths of hundreds of megabytes
    /// (a 256 KiB message, 250 MB of strings). Real bodies stay far below; a body past the bound (and
    /// <see cref="PathCharactersPerBodyCharacter"/> times its own length) is not read, like one nested too deeply.
    /// </summary>
    private const long MinPathCharacters = 1 << 16;

    private const int PathCharactersPerBodyCharacter = 16;

    private readonly Dictionary<string, List<LeafValue>> _paths;

    private BodyIndex(Dictionary<string, List<LeafValue>> paths) => _paths = paths;

    /// <summary>True when the body holds no scalar at all (<c>{}</c>): SNS matches no policy against it.</summary>
    public bool IsEmpty => _paths.Count == 0;

    public ReadOnlySpan<LeafValue> Get(string path) =>
        _paths.TryGetValue(path, out var leaves) ? CollectionsMarshal.AsSpan(leaves) : [];

    /// <returns>The index, or null when the body is not a JSON object.</returns>
    public static BodyIndex? TryBuild(string body)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(body), new JsonReaderOptions { MaxDepth = MaxDepth });
        var paths = new Dictionary<string, List<LeafValue>>(StringComparer.Ordinal);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            // For each open object or array, the path its members are named under, and whether it is an array.
            var containers = new List<(string Path, bool IsArray)> { (string.Empty, false) };
            string propertyPath = string.Empty;
            var pathBudget = Math.Max(MinPathCharacters, (long)PathCharactersPerBodyCharacter * body.Length);
            while (reader.Read())
            {
                var (containerPath, inArray) = containers.Count > 0 ? containers[^1] : (string.Empty, false);
                var valuePath = inArray ? containerPath : propertyPath;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        propertyPath = containerPath.Length == 0 ? name : containerPath + "." + name;
                        if ((pathBudget -= propertyPath.Length) < 0)
                        {
                            return null;
                        }

                        break;
                    case JsonTokenType.StartObject:
                        containers.Add((valuePath, false));
                        break;
                    case JsonTokenType.StartArray:
                        containers.Add((valuePath, true));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        containers.RemoveAt(containers.Count - 1);
                        break;
                    default:
                        if (!paths.TryGetValue(valuePath, out var leaves))
                        {
                            paths.Add(valuePath, leaves = []);
                        }

                        leaves.Add(Leaf(ref reader));
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: an escaped lone surrogate, which no string holds; unreadable like bad JSON.
            return null;
        }

        return new BodyIndex(paths);
    }

    /// <summary>The scalar the reader is on.</summary>
    internal static LeafValue Leaf(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => LeafValue.OfString(reader.GetString()!),
        JsonTokenType.Number => reader.TryGetDouble(out var number) ? LeafValue.OfNumber(number) : LeafValue.OfNumber(double.NaN),
        JsonTokenType.True => LeafValue.True,
        JsonTokenType.False => LeafValue.False,
        _ => LeafValue.Null,
    };
}
