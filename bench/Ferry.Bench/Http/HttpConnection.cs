using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Ferry.Bench.Http;

/// <summary>
/// One HTTP/1.1 keep-alive connection over a raw <see cref="Socket"/>: one request at a time (no pipelining),
/// the response parsed in place in a reusable buffer (status line, headers, Content-Length, chunked, or
/// read-to-close bodies). After warm-up a request/response cycle allocates nothing.
/// </summary>
/// <remarks>
/// Buffer invariant: a response is parsed at offsets that never move while it is read; the buffer may only
/// grow (copied to the same offsets). Leftover bytes are moved to the front before the next request.
/// </remarks>
internal sealed class HttpConnection : IAsyncDisposable
{
    // Holds a typical AWS response (headers ~300 B, JSON body up to a few KiB) without growing.
    private const int InitialBufferSize = 16 * 1024;

    // Twice Kestrel's default request-header limit (32 KiB): a response head larger than this is broken.
    private const int MaxHeaderBytes = 64 * 1024;

    // Kinesis GetRecords returns at most 10 MiB and SQS ReceiveMessage at most 10 × 256 KiB; 64 MiB leaves
    // room and stops a hostile or broken length prefix from making us allocate gigabytes.
    private const int MaxBodyBytes = 64 * 1024 * 1024;

    // A chunk-size line is hex digits plus optional extensions; anything longer is not HTTP.
    private const int MaxChunkLineBytes = 1024;

    private readonly IPEndPoint _endPoint;
    private readonly ArrayBufferWriter<byte> _request = new(1024);
    private readonly HttpResponseView _response = new();
    private Socket? _socket;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;

    private HttpConnection(IPEndPoint endPoint)
    {
        _endPoint = endPoint;
        Host = endPoint.ToString();
    }

    /// <summary>The Host header value used for requests built by this connection.</summary>
    public string Host { get; }

    /// <summary>How many TCP connections this object has opened (1 while keep-alive holds).</summary>
    public int ConnectCount { get; private set; }

    /// <summary>
    /// A connection that connects on its first request. A socket that was once used asynchronously stays registered with
    /// .NET's socket engine, which then emulates every synchronous call with its own threads: for <see cref="Send"/> and
    /// <see cref="TryReceive"/>, create the connection here and let <see cref="Send"/> connect it.
    /// </summary>
    public static HttpConnection Create(IPEndPoint endPoint) => new(endPoint);

    public static async Task<HttpConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        var connection = new HttpConnection(endPoint);
        await connection.ConnectSocketAsync(cancellationToken);
        return connection;
    }

    /// <summary>Builds a request in the connection's own buffer and sends it.</summary>
    public ValueTask<HttpResponseView> SendAsync(
        string method,
        string pathAndQuery,
        IReadOnlyList<KeyValuePair<string, string>>? headers,
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        _request.ResetWrittenCount();
        HttpRequestEncoder.Write(_request, method, pathAndQuery, Host, headers, body.Span);
        return SendAsync(_request.WrittenMemory, method == "HEAD", cancellationToken);
    }

    /// <summary>Sends pre-encoded request bytes and reads the full response.</summary>
    /// <param name="request">A complete HTTP/1.1 request, e.g. from <see cref="HttpRequestEncoder"/>.</param>
    /// <param name="headRequest">True for HEAD, whose response has headers but never a body.</param>
    /// <param name="cancellationToken">Cancels the send or receive (the connection is then unusable).</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HttpResponseView> SendAsync(ReadOnlyMemory<byte> request, bool headRequest = false, CancellationToken cancellationToken = default)
    {
        bool reused = _socket is not null;
        if (_socket is null)
        {
            await ConnectSocketAsync(cancellationToken);
        }

        Compact();
        await SendAllAsync(request, cancellationToken);
        if (await ReadResponseAsync(headRequest, cancellationToken))
        {
            return _response;
        }

        // The server closed an idle keep-alive connection before we wrote: retry once on a fresh one,
        // as HTTP clients do. On a new connection the same thing is a real failure.
        CloseSocket();
        if (!reused)
        {
            throw new IOException($"{Host} closed the connection without responding.");
        }

        await ConnectSocketAsync(cancellationToken);
        await SendAllAsync(request, cancellationToken);
        if (!await ReadResponseAsync(headRequest, cancellationToken))
        {
            CloseSocket();
            throw new IOException($"{Host} closed the connection without responding.");
        }

        return _response;
    }

    public ValueTask DisposeAsync()
    {
        CloseSocket();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The connected socket (null before the first request and after a close), for a caller that drives many
    /// connections from one thread: it waits until the socket is readable, then calls <see cref="TryReceive"/>.
    /// </summary>
    public Socket? Socket => _socket;

    /// <summary>
    /// Sends a complete request on the calling thread, connecting first if needed: the synchronous half of a
    /// request/response pair whose response is read with <see cref="TryReceive"/> once the socket is readable. Only
    /// responses that are not chunked are read this way.
    /// </summary>
    public void Send(ReadOnlySpan<byte> request)
    {
        if (_socket is null)
        {
            Socket socket = NewSocket();
            try
            {
                socket.Connect(_endPoint);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            Adopt(socket);
        }

        Compact();
        while (!request.IsEmpty)
        {
            request = request[_socket!.Send(request, SocketFlags.None)..];
        }
    }

    /// <summary>
    /// Receives what the socket holds (call it when the socket is readable: it blocks otherwise) and returns true with
    /// the response once a whole one is buffered, false while more is to come. Bodies framed by Content-Length or by the
    /// connection's close are read; a chunked one throws <see cref="NotSupportedException"/>, and so does a server
    /// closing the connection before a whole response (<see cref="IOException"/>).
    /// </summary>
    public bool TryReceive(out HttpResponseView response)
    {
        EnsureRoom(0);
        int received = _socket!.Receive(_buffer.AsSpan(_end), SocketFlags.None);
        if (received == 0)
        {
            bool whole = TryTakeToEnd(out response);
            CloseSocket();
            return whole ? true : throw new IOException($"{Host} closed the connection without a whole response.");
        }

        _end += received;
        return TryTakeBuffered(out response);
    }

    /// <summary>At the end of the stream: takes a response whose body is framed by the connection's close, if one is buffered.</summary>
    private bool TryTakeToEnd(out HttpResponseView response)
    {
        response = _response;
        int headEnd = FindHeadEnd();
        if (headEnd < 0 || ParseHead(headEnd, out bool chunked) >= 0 || chunked || _response.StatusCode is 204 or 304)
        {
            return false;
        }

        _response.SetBody(headEnd, _end - headEnd);
        _response.KeepAlive = false;
        _start = _end;
        return true;
    }

    /// <summary>Takes a whole Content-Length-framed response from the buffer if one is there (interim 1xx skipped).</summary>
    private bool TryTakeBuffered(out HttpResponseView response)
    {
        response = _response;
        while (true)
        {
            int headEnd = FindHeadEnd();
            if (headEnd < 0)
            {
                if (_end - _start > MaxHeaderBytes)
                {
                    throw new InvalidDataException($"Response head from {Host} exceeds {MaxHeaderBytes} bytes.");
                }

                return false;
            }

            long contentLength = ParseHead(headEnd, out bool chunked);
            int status = _response.StatusCode;
            if (status is >= 100 and < 200 and not 101)
            {
                _start = headEnd;
                continue;
            }

            if (status is 204 or 304)
            {
                contentLength = 0;
            }
            else if (chunked)
            {
                throw new NotSupportedException($"{Host} answered with a chunked body; read such responses with SendAsync.");
            }
            else if (contentLength < 0)
            {
                // The body ends when the server closes the connection (TryReceive takes it then).
                return _end - headEnd <= MaxBodyBytes
                    ? false
                    : throw new InvalidDataException($"Response body from {Host} exceeds {MaxBodyBytes} bytes.");
            }

            int needed = headEnd + (int)contentLength;
            if (_end < needed)
            {
                EnsureRoom(needed); // the head stays at its offsets: it is parsed again when the rest arrives
                return false;
            }

            _response.SetBody(headEnd, (int)contentLength);
            _start = needed;
            if (!_response.KeepAlive)
            {
                CloseSocket();
            }

            return true;
        }
    }

    private async ValueTask ConnectSocketAsync(CancellationToken cancellationToken)
    {
        Socket socket = NewSocket();
        try
        {
            await socket.ConnectAsync(_endPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Adopt(socket);
    }

    private Socket NewSocket() => new(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    private void Adopt(Socket connected)
    {
        _socket = connected;
        _start = 0;
        _end = 0;
        ConnectCount++;
    }

    private void CloseSocket()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private void Compact()
    {
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
        else if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await _socket!.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Receives more bytes at the end of the buffer (growing it in place if full); returns 0 at end of stream.</summary>
    private async ValueTask<int> ReceiveAsync(int minimumCapacity, CancellationToken cancellationToken)
    {
        EnsureRoom(minimumCapacity);
        int received = await _socket!.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += received;
        return received;
    }

    /// <summary>Grows the buffer (same offsets) if it is full or smaller than <paramref name="minimumCapacity"/>.</summary>
    private void EnsureRoom(int minimumCapacity)
    {
        if (_end == _buffer.Length || minimumCapacity > _buffer.Length)
        {
            int size = Math.Max(_buffer.Length * 2, minimumCapacity);
            byte[] grown = new byte[size];
            Buffer.BlockCopy(_buffer, 0, grown, 0, _end);
            _buffer = grown;
            _response.Rebase(grown);
        }
    }

    /// <returns>False if the stream ended before the first byte of a response.</returns>
    private async ValueTask<bool> ReadResponseAsync(bool headRequest, CancellationToken cancellationToken)
    {
        while (true)
        {
            int headEnd;
            while ((headEnd = FindHeadEnd()) < 0)
            {
                if (_end - _start > MaxHeaderBytes)
                {
                    throw new InvalidDataException($"Response head from {Host} exceeds {MaxHeaderBytes} bytes.");
                }

                if (await ReceiveAsync(0, cancellationToken) == 0)
                {
                    if (_end == _start)
                    {
                        return false;
                    }

                    throw new IOException($"{Host} closed the connection in the middle of a response head.");
                }
            }

            long contentLength = ParseHead(headEnd, out bool chunked);
            _start = headEnd;
            int status = _response.StatusCode;
            if (status is >= 100 and < 200 and not 101)
            {
                continue; // an interim response (100 Continue, 103 Early Hints); the real one follows
            }

            if (headRequest || status is 204 or 304)
            {
                _response.SetBody(headEnd, 0);
            }
            else if (chunked)
            {
                await ReadChunkedBodyAsync(headEnd, cancellationToken);
            }
            else if (contentLength >= 0)
            {
                await ReadFixedBodyAsync(headEnd, (int)contentLength, cancellationToken);
            }
            else
            {
                await ReadBodyToEndAsync(headEnd, cancellationToken);
            }

            if (!_response.KeepAlive)
            {
                CloseSocket();
            }

            return true;
        }
    }

    private int FindHeadEnd()
    {
        int index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return index < 0 ? -1 : _start + index + 4;
    }

    /// <summary>Parses the status line and headers in [_start, headEnd); returns Content-Length or -1.</summary>
    private long ParseHead(int headEnd, out bool chunked)
    {
        ReadOnlySpan<byte> head = _buffer.AsSpan(_start, headEnd - _start - 2); // ends after the last header's CRLF
        int lineEnd = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> statusLine = head[..lineEnd];

        // "HTTP/1.1 200 OK": the version, a space, three digits, then an optional reason phrase.
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out int consumed) || consumed != 3
            || (statusLine.Length > 12 && statusLine[12] != (byte)' '))
        {
            throw new InvalidDataException($"Malformed status line from {Host}.");
        }

        _response.Begin(_buffer, status);
        bool http10 = statusLine[7] == (byte)'0';
        bool keepAlive = !http10;
        long contentLength = -1;
        chunked = false;

        int offset = _start + lineEnd + 2;
        ReadOnlySpan<byte> rest = head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new InvalidDataException($"Malformed header line from {Host}.");
            }

            ReadOnlySpan<byte> name = line[..colon];
            int valueStart = colon + 1;
            while (valueStart < line.Length && line[valueStart] is (byte)' ' or (byte)'\t')
            {
                valueStart++;
            }

            int valueEnd = line.Length;
            while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t')
            {
                valueEnd--;
            }

            ReadOnlySpan<byte> value = line[valueStart..valueEnd];
            _response.AddHeader(offset, colon, offset + valueStart, valueEnd - valueStart);

            if (System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out int used) || used != value.Length || length < 0
                    || (contentLength >= 0 && contentLength != length))
                {
                    throw new InvalidDataException($"Invalid Content-Length from {Host}.");
                }

                if (length > MaxBodyBytes)
                {
                    throw new InvalidDataException($"Content-Length {length} from {Host} exceeds {MaxBodyBytes} bytes.");
                }

                contentLength = length;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                // Chunked must be the final coding (RFC 9112 6.3); anything else is read to the end.
                chunked = EndsWithTokenIgnoreCase(value, "chunked"u8);
                if (!chunked)
                {
                    keepAlive = false;
                }
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (ContainsTokenIgnoreCase(value, "close"u8))
                {
                    keepAlive = false;
                }
                else if (ContainsTokenIgnoreCase(value, "keep-alive"u8))
                {
                    keepAlive = true;
                }
            }

            if (end < 0)
            {
                break;
            }

            offset += end + 2;
            rest = rest[(end + 2)..];
        }

        _response.KeepAlive = keepAlive;
        return chunked ? -1 : contentLength;
    }

    private async ValueTask ReadFixedBodyAsync(int bodyStart, int length, CancellationToken cancellationToken)
    {
        int needed = bodyStart + length;
        while (_end < needed)
        {
            if (await ReceiveAsync(needed, cancellationToken) == 0)
            {
                throw new IOException($"{Host} closed the connection in the middle of a response body.");
            }
        }

        _response.SetBody(bodyStart, length);
        _start = needed;
    }

    private async ValueTask ReadBodyToEndAsync(int bodyStart, CancellationToken cancellationToken)
    {
        while (await ReceiveAsync(0, cancellationToken) != 0)
        {
            if (_end - bodyStart > MaxBodyBytes)
            {
                throw new InvalidDataException($"Response body from {Host} exceeds {MaxBodyBytes} bytes.");
            }
        }

        _response.SetBody(bodyStart, _end - bodyStart);
        _response.KeepAlive = false;
        _start = _end;
    }

    /// <summary>Decodes a chunked body in place: chunk data is moved down over the chunk framing.</summary>
    private async ValueTask ReadChunkedBodyAsync(int bodyStart, CancellationToken cancellationToken)
    {
        int write = bodyStart;
        int read = bodyStart;
        while (true)
        {
            int lineEnd = await ReadLineAsync(read, cancellationToken);
            ReadOnlySpan<byte> line = _buffer.AsSpan(read, lineEnd - read);
            int extension = line.IndexOf((byte)';');
            ReadOnlySpan<byte> digits = (extension < 0 ? line : line[..extension]).Trim((byte)' ');
            if (!Utf8Parser.TryParse(digits, out long size, out int used, 'X') || used != digits.Length || size < 0)
            {
                throw new InvalidDataException($"Malformed chunk size from {Host}.");
            }

            read = lineEnd + 2;
            if (size == 0)
            {
                // Trailer fields, if any, then the empty line that ends the message.
                while (true)
                {
                    int trailerEnd = await ReadLineAsync(read, cancellationToken);
                    bool empty = trailerEnd == read;
                    read = trailerEnd + 2;
                    if (empty)
                    {
                        break;
                    }
                }

                break;
            }

            if (write - bodyStart + size > MaxBodyBytes)
            {
                throw new InvalidDataException($"Chunked body from {Host} exceeds {MaxBodyBytes} bytes.");
            }

            int chunkEnd = read + (int)size;
            while (_end < chunkEnd + 2)
            {
                if (await ReceiveAsync(chunkEnd + 2, cancellationToken) == 0)
                {
                    throw new IOException($"{Host} closed the connection in the middle of a chunk.");
                }
            }

            if (_buffer[chunkEnd] != (byte)'\r' || _buffer[chunkEnd + 1] != (byte)'\n')
            {
                throw new InvalidDataException($"Chunk from {Host} is not followed by CRLF.");
            }

            Buffer.BlockCopy(_buffer, read, _buffer, write, (int)size);
            write += (int)size;
            read = chunkEnd + 2;
        }

        _response.SetBody(bodyStart, write - bodyStart);
        _start = read;
    }

    /// <summary>Waits until a CRLF follows <paramref name="from"/>; returns the offset of the CR.</summary>
    private async ValueTask<int> ReadLineAsync(int from, CancellationToken cancellationToken)
    {
        while (true)
        {
            int index = _buffer.AsSpan(from, _end - from).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                return from + index;
            }

            if (_end - from > MaxChunkLineBytes)
            {
                throw new InvalidDataException($"Chunk framing line from {Host} exceeds {MaxChunkLineBytes} bytes.");
            }

            if (await ReceiveAsync(0, cancellationToken) == 0)
            {
                throw new IOException($"{Host} closed the connection in the middle of a chunked body.");
            }
        }
    }

    private static bool EndsWithTokenIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        int comma = value.LastIndexOf((byte)',');
        ReadOnlySpan<byte> last = (comma < 0 ? value : value[(comma + 1)..]).Trim((byte)' ');
        return System.Text.Ascii.EqualsIgnoreCase(last, token);
    }

    private static bool ContainsTokenIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        while (!value.IsEmpty)
        {
            int comma = value.IndexOf((byte)',');
            ReadOnlySpan<byte> item = (comma < 0 ? value : value[..comma]).Trim((byte)' ');
            if (System.Text.Ascii.EqualsIgnoreCase(item, token))
            {
                return true;
            }

            value = comma < 0 ? default : value[(comma + 1)..];
        }

        return false;
    }
}
