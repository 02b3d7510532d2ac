using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Torture.Clients;

/// <summary>One RESP2 reply.</summary>
internal sealed record RespReply(char Kind, string? Text, long Integer, RespReply[]? Items)
{
    public bool IsNull => Kind is '$' or '*' && Text is null && Items is null;

    public bool IsError => Kind == '-';

    public override string ToString() => Kind switch
    {
        '*' => Items is null ? "(nil)" : "[" + string.Join(", ", Items.Select(i => i.ToString())) + "]",
        ':' => Integer.ToString(CultureInfo.InvariantCulture),
        _ => Text ?? "(nil)",
    };
}

/// <summary>A minimal RESP2 client over one TCP connection: commands as arrays of bulk strings, replies parsed
/// whole. Enough for XADD, XREADGROUP, XACK, XRANGE and XPENDING.</summary>
internal sealed class RespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RespClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
            return new RespClient(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and reads its reply (an error reply is returned, not thrown).</summary>
    public async Task<RespReply> CallAsync(CancellationToken cancellationToken, params string[] args)
    {
        var command = new StringBuilder();
        command.Append(CultureInfo.InvariantCulture, $"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            command.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()), cancellationToken);
        return await ReadReplyAsync(cancellationToken);
    }

    private async Task<RespReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        var kind = (char)line[0];
        var rest = Encoding.UTF8.GetString(line.AsSpan(1));
        switch (kind)
        {
            case '+':
            case '-':
                return new RespReply(kind, rest, 0, null);
            case ':':
                return new RespReply(kind, null, long.Parse(rest, CultureInfo.InvariantCulture), null);
            case '$':
                var length = int.Parse(rest, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return new RespReply(kind, null, 0, null);
                }

                var bytes = await ReadExactlyAsync(length + 2, cancellationToken);
                return new RespReply(kind, Encoding.UTF8.GetString(bytes, 0, length), 0, null);
            case '*':
                var count = int.Parse(rest, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return new RespReply(kind, null, 0, null);
                }

                var items = new RespReply[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadReplyAsync(cancellationToken);
                }

                return new RespReply(kind, null, 0, items);
            default:
                throw new IOException($"unexpected RESP reply type '{kind}'");
        }
    }

    private async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (newline >= 0)
            {
                var line = _buffer.AsSpan(_start, newline).ToArray();
                _start += newline + 2;
                return line;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            var n = Math.Min(count - copied, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(result.AsSpan(copied));
            _start += n;
            copied += n;
        }

        return result;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new IOException("a RESP line longer than the client's buffer");
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += read;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}
