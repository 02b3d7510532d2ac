using System.Text;

namespace Ferry.Fuzz.Tests.Http;

/// <summary>
/// An HTTP request as fuzzed bytes, so that mutations reach the request line and headers as well as the body:
/// <c>POST /path?query</c>, header lines <c>Name: value</c>, an empty line, then the body.
/// </summary>
/// <remarks>
/// Reading is lenient, as it must be for mutated input: without an empty line everything after the request line is
/// headers and the body is empty. What Kestrel would never hand to Ferry is taken out rather than sent: header names
/// that are not tokens, header values with bytes outside printable ASCII, a path without a leading slash; and a
/// request past Kestrel's default limits on the request line and headers is marked <see cref="RefusedByKestrel"/>.
/// </remarks>
internal sealed record FuzzRequest(string Method, string Path, string QueryString, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>Kestrel's default KestrelServerLimits: request line 8 KiB, 100 headers, 32 KiB of headers.</summary>
    private const int MaxRequestLine = 8 * 1024;
    private const int MaxHeaderCount = 100;
    private const int MaxHeadersSize = 32 * 1024;

    /// <summary>Kestrel answers such a request itself (414 or 431): Ferry never sees it.</summary>
    public bool RefusedByKestrel { get; private init; }

    /// <summary>The path with its escapes decoded, as Kestrel hands it to the application.</summary>
    public string DecodedPath { get; private init; } = "/";

    public static byte[] Format(string requestLine, IEnumerable<(string Name, string Value)> headers, string body)
    {
        var text = new StringBuilder(requestLine).Append('\n');
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.Append('\n').Append(body).ToString());
    }

    public static byte[] Format(string requestLine, IEnumerable<(string Name, string Value)> headers, byte[] body) =>
        [.. Format(requestLine, headers, ""), .. body];

    public static FuzzRequest Parse(byte[] input)
    {
        var span = input.AsSpan();
        var end = span.IndexOf("\n\n"u8);
        var head = end < 0 ? span : span[..end];
        var body = end < 0 ? [] : span[(end + 2)..].ToArray();
        var lineEnd = head.IndexOf((byte)'\n');
        var requestLine = Printable(lineEnd < 0 ? head : head[..lineEnd]);
        var method = requestLine.StartsWith("GET", StringComparison.Ordinal) ? "GET" : "POST";
        var space = requestLine.IndexOf(' ', StringComparison.Ordinal);
        var target = space < 0 ? "/" : requestLine[(space + 1)..].Replace(" ", "", StringComparison.Ordinal);
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[question..];
        var hash = path.IndexOf('#', StringComparison.Ordinal);
        path = hash < 0 ? path : path[..hash];
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        var headers = new List<KeyValuePair<string, string>>();
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 1)..];
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOf((byte)'\n');
            var line = next < 0 ? rest : rest[..next];
            rest = next < 0 ? [] : rest[(next + 1)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                continue;
            }

            headers.Add(new(Encoding.ASCII.GetString(line[..colon]), Printable(line[(colon + 1)..]).Trim()));
        }

        var refused = requestLine.Length > MaxRequestLine || headers.Count > MaxHeaderCount
            || (lineEnd < 0 ? 0 : head.Length - lineEnd) > MaxHeadersSize;
        string decoded;
        try
        {
            // Kestrel decodes the path the same way and answers 400 where this throws (an encoded NUL, say).
            decoded = Microsoft.AspNetCore.Http.PathString.FromUriComponent(path).Value ?? "/";
        }
        catch (InvalidOperationException)
        {
            decoded = "/";
            refused = true;
        }

        return new FuzzRequest(method, path, query, headers, body) { RefusedByKestrel = refused, DecodedPath = decoded };
    }

    /// <summary>A header as ASP.NET Core reads a repeated one: its non-empty values joined by commas; null when absent.</summary>
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(',', values.Where(v => v.Length > 0));
    }

    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The bytes Kestrel accepts in a request line or header value (printable ASCII and tab), the rest dropped.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is (>= 0x20 and < 0x7F) or (byte)'\t')
            {
                text.Append((char)b);
            }
        }

        return text.ToString();
    }
}
