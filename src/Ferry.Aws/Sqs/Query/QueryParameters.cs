using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace Ferry.Aws.Sqs.Query;

/// <summary>
/// The parameters of a Query-protocol request (form body and query string), with the readers of botocore's
/// flattened lists (<c>AttributeName.1</c>) and maps (<c>Attribute.1.Name</c> / <c>Attribute.1.Value</c>).
/// </summary>
internal sealed class QueryParameters
{
    private readonly Dictionary<string, string> _values;

    public QueryParameters(Dictionary<string, string> values)
    {
        _values = values;
    }

    public int Count => _values.Count;

    /// <summary>Parses <c>application/x-www-form-urlencoded</c> text; a repeated name keeps its first value.</summary>
    public static QueryParameters Parse(string form, QueryParameters? into = null) => Parse(form.AsMemory(), into);

    /// <summary>Parses <c>application/x-www-form-urlencoded</c> text; a repeated name keeps its first value. Nothing
    /// kept refers to <paramref name="form"/>: the caller may reuse its buffer.</summary>
    public static QueryParameters Parse(ReadOnlyMemory<char> form, QueryParameters? into = null)
    {
        if (into is not null)
        {
            into._indices = null;
        }

        // Sized for every pair at once: grown one add at a time, a publish's dictionary was reallocated three times.
        var pairs = form.IsEmpty ? 0 : form.Span.Count('&') + 1;
        var values = into?._values ?? new Dictionary<string, string>(pairs, StringComparer.Ordinal);
        values.EnsureCapacity(values.Count + pairs);
        // ASP.NET Core's own splitting and decoding (QueryHelpers.ParseQuery uses the same), without the dictionary of
        // every value that ParseQuery builds first. Names are compared as sent, as AWS reads them (that dictionary
        // ignored case, so "a" after "A" was lost).
        foreach (var pair in new QueryStringEnumerable(form))
        {
            var name = pair.DecodeName().ToString();
            if (!values.ContainsKey(name))
            {
                values.Add(name, pair.DecodeValue().ToString());
            }
        }

        return into ?? new QueryParameters(values);
    }

    public string? this[string name] => _values.TryGetValue(name, out var value) ? value : null;

    public string? String(string name) => this[name];

    public int? Int(string name)
    {
        string? text = this[name];
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            throw SqsErrors.InvalidParameterValue(name, text, "Must be an integer.");
        }

        return value;
    }

    public byte[]? Binary(string name)
    {
        string? text = this[name];
        if (text is null)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw SqsErrors.InvalidParameterValue(name, text, "Must be base64-encoded binary data.");
        }
    }

    /// <summary>The indices N present as <c>prefix.N</c> or <c>prefix.N.member</c>, ascending.</summary>
    /// <remarks>Every key is indexed once, on the first call, so that binding a list of N members costs O(N) rather
    /// than a scan of every key per member (100,000 message attributes took minutes).</remarks>
    public IReadOnlyList<int> Indices(string prefix)
    {
        return IndexedKeys.TryGetValue(prefix, out var indices) ? indices : [];
    }

    /// <summary>The deepest flattened member any action has: <c>SendMessageBatchRequestEntry.N.MessageAttribute.N.Value.StringListValue.N</c>.</summary>
    private const int MaxIndexedLevels = 3;

    private Dictionary<string, List<int>>? _indices;

    /// <summary>The indices of every list prefix, made on first use (see <see cref="Indices"/>).</summary>
    private Dictionary<string, List<int>> IndexedKeys => _indices ??= IndexKeys();

    /// <summary>For each key, each <c>prefix.N</c> in it (N digits followed by a dot or the end), up to
    /// <see cref="MaxIndexedLevels"/> levels deep: deeper ones belong to no shape, and would cost a prefix each.</summary>
    private Dictionary<string, List<int>> IndexKeys()
    {
        // Looked up by span: a prefix's string is made once, for its first key, not once per key.
        var found = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var lookup = found.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (string key in _values.Keys)
        {
            int levels = 0;
            for (int dot = key.IndexOf('.'); dot > 0 && levels < MaxIndexedLevels; dot = key.IndexOf('.', dot + 1))
            {
                ReadOnlySpan<char> rest = key.AsSpan(dot + 1);
                int end = rest.IndexOf('.');
                if (int.TryParse(end < 0 ? rest : rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    if (!lookup.TryGetValue(key.AsSpan(0, dot), out var indices))
                    {
                        found.Add(key[..dot], indices = []);
                    }

                    // Several keys share an index (prefix.1.Name, prefix.1.Value), mostly one after another; the
                    // duplicates left go after sorting.
                    if (indices.Count == 0 || indices[^1] != index)
                    {
                        indices.Add(index);
                    }

                    levels++;
                }

                if (end < 0)
                {
                    break;
                }
            }
        }

        foreach (var indices in found.Values)
        {
            indices.Sort();
            int kept = 1;
            for (int i = 1; i < indices.Count; i++)
            {
                if (indices[i] != indices[kept - 1])
                {
                    indices[kept++] = indices[i];
                }
            }

            indices.RemoveRange(kept, indices.Count - kept);
        }

        return found;
    }

    /// <summary>A flattened list of strings: <c>prefix.1</c>, <c>prefix.2</c>, ...; null when none is present.</summary>
    public List<string>? List(string prefix)
    {
        var indices = Indices(prefix);
        if (indices.Count == 0)
        {
            return null;
        }

        var list = new List<string>(indices.Count);
        foreach (int i in indices)
        {
            if (this[Key(prefix, i)] is { } value)
            {
                list.Add(value);
            }
        }

        return list;
    }

    /// <summary>A flattened map of strings: <c>prefix.N.keyName</c> / <c>prefix.N.valueName</c>; null when none is present.</summary>
    public Dictionary<string, string>? Map(string prefix, string keyName = "Name", string valueName = "Value")
    {
        var indices = Indices(prefix);
        if (indices.Count == 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(indices.Count, StringComparer.Ordinal);
        foreach (int i in indices)
        {
            string? key = this[Key(prefix, i, keyName)];
            if (key is null)
            {
                throw SqsErrors.MissingParameter(Key(prefix, i, keyName));
            }

            map[key] = this[Key(prefix, i, valueName)] ?? "";
        }

        return map;
    }

    /// <summary>A flattened map of message attributes: <c>prefix.N.Name</c>, <c>prefix.N.Value.StringValue</c>, ...</summary>
    public Dictionary<string, MessageAttributeValue>? MessageAttributes(string prefix)
    {
        var indices = Indices(prefix);
        if (indices.Count == 0)
        {
            return null;
        }

        var map = new Dictionary<string, MessageAttributeValue>(indices.Count, StringComparer.Ordinal);

        // Every member's name is written into one buffer and looked up by span: strings only for what is present.
        Span<char> key = prefix.Length <= 256 ? stackalloc char[prefix.Length + 64] : new char[prefix.Length + 64];
        prefix.CopyTo(key);
        foreach (int i in indices)
        {
            int head = prefix.Length;
            key[head++] = '.';
            i.TryFormat(key[head..], out int digits, default, CultureInfo.InvariantCulture);
            head += digits;
            key[head++] = '.';
            string? name = Member(key, head, "Name");
            if (name is null)
            {
                throw SqsErrors.MissingParameter(Key(prefix, i, "Name"));
            }

            int value = At(key, head, "Value.").Length;
            map[name] = new MessageAttributeValue
            {
                DataType = Member(key, value, "DataType"),
                StringValue = Member(key, value, "StringValue"),
                BinaryValue = KeyIfPresent(key, value, "BinaryValue", indexed: false) is { } binary ? Binary(binary) : null,
                StringListValues = KeyIfPresent(key, value, "StringListValue", indexed: true) is { } strings ? List(strings) : null,
                BinaryListValues = KeyIfPresent(key, value, "BinaryListValue", indexed: true) is { } binaries ? BinaryList(binaries) : null,
            };
        }

        return map;
    }

    /// <summary>Writes <paramref name="member"/> into <paramref name="key"/> after its first <paramref name="at"/>
    /// characters; the key so made.</summary>
    private static Span<char> At(Span<char> key, int at, string member)
    {
        member.CopyTo(key[at..]);
        return key[..(at + member.Length)];
    }

    /// <summary>The value of the key <see cref="At"/> makes, or null.</summary>
    private string? Member(Span<char> key, int at, string member) =>
        _values.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(At(key, at, member), out var value) ? value : null;

    /// <summary>The key <see cref="At"/> makes, as a string, when it is present: as a key, or (<paramref name="indexed"/>)
    /// as the prefix of a flattened list.</summary>
    private string? KeyIfPresent(Span<char> key, int at, string member, bool indexed)
    {
        ReadOnlySpan<char> made = At(key, at, member);
        if (indexed)
        {
            return IndexedKeys.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(made) ? new string(made) : null;
        }

        return _values.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(made) ? new string(made) : null;
    }

    private List<byte[]>? BinaryList(string prefix)
    {
        var indices = Indices(prefix);
        if (indices.Count == 0)
        {
            return null;
        }

        var list = new List<byte[]>(indices.Count);
        foreach (int i in indices)
        {
            if (Binary(Key(prefix, i)) is { } value)
            {
                list.Add(value);
            }
        }

        return list;
    }

    public static string Key(string prefix, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}.{index}");

    public static string Key(string prefix, int index, string member) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}.{index}.{member}");
}
