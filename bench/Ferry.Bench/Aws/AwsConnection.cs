using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Ferry.Bench.Http;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Aws;

/// <summary>Reads the AWS error code and message from an error response's body, in the protocol's format.</summary>
internal delegate (string Code, string Message) AwsErrorReader(ReadOnlySpan<byte> body);

/// <summary>
/// One keep-alive connection speaking one AWS protocol: a body is written into <see cref="StartBody"/>, then
/// <see cref="CallAsync"/> signs, sends and checks the response. One caller at a time; the response is valid until the
/// next call. The protocol clients (<see cref="SqsClient"/>, <c>SnsClient</c>) are built on it.
/// </summary>
internal sealed class AwsConnection : IAsyncDisposable
{
    private readonly HttpConnection _connection;
    private readonly AwsRequestEncoder _encoder;
    private readonly AwsErrorReader _readError;
    private readonly ArrayBufferWriter<byte> _body = new(16 * 1024);
    private readonly ArrayBufferWriter<byte> _request = new(16 * 1024);

    private AwsConnection(HttpConnection connection, AwsRequestEncoder encoder, AwsErrorReader readError)
    {
        _connection = connection;
        _encoder = encoder;
        _readError = readError;
    }

    /// <summary>Connects to <paramref name="endPoint"/>; <paramref name="encoder"/> is given the Host header value.</summary>
    public static async Task<AwsConnection> ConnectAsync(
        IPEndPoint endPoint, Func<string, AwsRequestEncoder> encoder, AwsErrorReader readError, CancellationToken cancellationToken)
    {
        HttpConnection connection = await HttpConnection.ConnectAsync(endPoint, cancellationToken);
        return new AwsConnection(connection, encoder(connection.Host), readError);
    }

    /// <summary>A connection to <paramref name="endPoint"/> that connects, synchronously, on its first <see cref="Start"/>.</summary>
    public static AwsConnection Create(IPEndPoint endPoint, Func<string, AwsRequestEncoder> encoder, AwsErrorReader readError)
    {
        HttpConnection connection = HttpConnection.Create(endPoint);
        return new AwsConnection(connection, encoder(connection.Host), readError);
    }

    /// <summary>Opens <paramref name="count"/> clients at once with <paramref name="connect"/>.</summary>
    public static async Task<T[]> ConnectManyAsync<T>(Func<Task<T>> connect, int count)
    {
        var connecting = new Task<T>[count];
        for (int i = 0; i < count; i++)
        {
            connecting[i] = connect();
        }

        return await Task.WhenAll(connecting);
    }

    /// <summary>Clears and returns the body buffer for the next request.</summary>
    public ArrayBufferWriter<byte> StartBody()
    {
        _body.ResetWrittenCount();
        return _body;
    }

    /// <summary>Signs and sends the body written since <see cref="StartBody"/>; throws <see cref="SqsException"/> (the benchmark's AWS error) unless 200.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> CallAsync(string action, CancellationToken cancellationToken = default)
    {
        Encode(action);
        HttpResponseView response = await _connection.SendAsync(_request.WrittenMemory, cancellationToken: cancellationToken);
        ThrowUnlessOk(action, response);
        return response.Body;
    }

    /// <summary>Signs the body written since <see cref="StartBody"/> into the request buffer.</summary>
    private void Encode(string action)
    {
        _request.ResetWrittenCount();
        _encoder.Write(_request, action, _body.WrittenMemory, DateTimeOffset.UtcNow);
    }

    private void ThrowUnlessOk(string action, HttpResponseView response)
    {
        if (response.StatusCode != 200)
        {
            (string code, string message) = _readError(response.Body.Span);
            throw new SqsException(action, response.StatusCode, code, message);
        }
    }

    /// <summary>The connection's socket while connected, for <see cref="Start"/> and <see cref="TryComplete"/>.</summary>
    public System.Net.Sockets.Socket? Socket => _connection.Socket;

    /// <summary>
    /// Signs and sends the body written since <see cref="StartBody"/> on the calling thread; the response is read with
    /// <see cref="TryComplete"/> once <see cref="Socket"/> is readable (one thread can drive many connections this way).
    /// </summary>
    public void Start(string action)
    {
        Encode(action);
        _connection.Send(_request.WrittenSpan);
    }

    /// <summary>Reads the readable socket; true once the whole response of <see cref="Start"/> is in, which must be 200
    /// (otherwise <see cref="SqsException"/>, the benchmark's AWS error, is thrown).</summary>
    public bool TryComplete(string action)
    {
        if (!_connection.TryReceive(out HttpResponseView response))
        {
            return false;
        }

        ThrowUnlessOk(action, response);
        return true;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
