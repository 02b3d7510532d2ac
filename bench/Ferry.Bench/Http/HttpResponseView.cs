using System.Text;

namespace Ferry.Bench.Http;

/// <summary>
/// A parsed HTTP/1.1 response. It is owned by its <see cref="HttpConnection"/> and reused: the status,
/// headers and body are views into the connection's receive buffer and stay valid only until the next
/// request on that connection. Copy what must outlive it.
/// </summary>
internal sealed class HttpResponseView
{
    // Ample for the responses of AWS-style APIs (Kestrel sends 3-4 headers, AWS about 6) before the arrays grow.
    private const int InitialHeaderCapacity = 16;

    private byte[] _buffer = [];
    private (int NameStart, int NameLength, int ValueStart, int ValueLength)[] _headers = new (int, int, int, int)[InitialHeaderCapacity];
    private int _bodyStart;
    private int _bodyLength;

    public int StatusCode { get; private set; }

    public int HeaderCount { get; private set; }

    /// <summary>Whether the server keeps the connection open after this response.</summary>
    public bool KeepAlive { get; internal set; }

    public ReadOnlyMemory<byte> Body => _buffer.AsMemory(_bodyStart, _bodyLength);

    public ReadOnlySpan<byte> HeaderName(int index) => Slice(_headers[index].NameStart, _headers[index].NameLength);

    public ReadOnlySpan<byte> HeaderValue(int index) => Slice(_headers[index].ValueStart, _headers[index].ValueLength);

    /// <summary>Finds a header by case-insensitive name and decodes its value (allocates; not for hot loops).</summary>
    public bool TryGetHeader(string name, out string value)
    {
        Span<byte> wanted = stackalloc byte[Encoding.ASCII.GetMaxByteCount(name.Length)];
        wanted = wanted[..Encoding.ASCII.GetBytes(name, wanted)];
        for (int i = 0; i < HeaderCount; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(HeaderName(i), wanted))
            {
                value = Encoding.Latin1.GetString(HeaderValue(i));
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    public string BodyAsString() => Encoding.UTF8.GetString(Body.Span);

    internal void Begin(byte[] buffer, int statusCode)
    {
        _buffer = buffer;
        StatusCode = statusCode;
        HeaderCount = 0;
        _bodyStart = 0;
        _bodyLength = 0;
        KeepAlive = true;
    }

    internal void AddHeader(int nameStart, int nameLength, int valueStart, int valueLength)
    {
        if (HeaderCount == _headers.Length)
        {
            Array.Resize(ref _headers, _headers.Length * 2);
        }

        _headers[HeaderCount++] = (nameStart, nameLength, valueStart, valueLength);
    }

    /// <summary>Points every view at <paramref name="buffer"/>, which holds the same bytes at the same offsets.</summary>
    internal void Rebase(byte[] buffer) => _buffer = buffer;

    internal void SetBody(int start, int length)
    {
        _bodyStart = start;
        _bodyLength = length;
    }

    private ReadOnlySpan<byte> Slice(int start, int length) => _buffer.AsSpan(start, length);
}
