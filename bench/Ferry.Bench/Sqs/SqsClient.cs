using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Ferry.Bench.Aws;
using Ferry.Bench.Http;

namespace Ferry.Bench.Sqs;

/// <summary>An SQS call that did not answer 200: the action, HTTP status and the AWS error code and message.</summary>
internal sealed class SqsException : Exception
{
    public SqsException(string action, int statusCode, string code, string message)
        : base(code.Length == 0 && message.Length == 0 ? $"{action} answered HTTP {statusCode} with no AWS error" : $"{action} answered HTTP {statusCode} {code}: {message}")
    {
        Action = action;
        StatusCode = statusCode;
        Code = code;
    }

    public SqsException()
    {
        Action = Code = string.Empty;
    }

    public SqsException(string message)
        : base(message)
    {
        Action = Code = string.Empty;
    }

    public SqsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Action = Code = string.Empty;
    }

    public string Action { get; }

    public int StatusCode { get; }

    public string Code { get; }
}

/// <summary>
/// Encodes SQS requests as the AWS SDKs send them over the JSON 1.0 protocol: <c>POST /</c> with
/// <c>Content-Type: application/x-amz-json-1.0</c> and <c>X-Amz-Target: AmazonSQS.&lt;Action&gt;</c>, signed with
/// SigV4 (service <c>sqs</c>) over content-type, host, x-amz-date and x-amz-target.
/// </summary>
internal sealed class SqsRequestEncoder
{
    public const string ContentType = "application/x-amz-json-1.0";

    /// <summary>The credentials every benchmark request is signed with (the conventional ones of local AWS endpoints).</summary>
    public const string AccessKeyId = "test";

    public const string SecretAccessKey = "test";

    public const string Region = "us-east-1";

    private readonly SigV4Signer _signer;
    private readonly string _host;
    private readonly KeyValuePair<string, string>[] _signedHeaders;
    private readonly KeyValuePair<string, string>[] _headers = new KeyValuePair<string, string>[4];

    public SqsRequestEncoder(string host, SigV4Signer? signer = null)
    {
        _host = host;
        _signer = signer ?? new SigV4Signer(AccessKeyId, SecretAccessKey, Region, "sqs");
        _signedHeaders = [new("Content-Type", ContentType), new("Host", host), default];
        _headers[0] = new("Content-Type", ContentType);
    }

    /// <summary>Writes the complete HTTP/1.1 request for <paramref name="action"/> with <paramref name="body"/>, signed at <paramref name="time"/>.</summary>
    public void Write(IBufferWriter<byte> output, string action, ReadOnlyMemory<byte> body, DateTimeOffset time)
    {
        string target = "AmazonSQS." + action;
        _signedHeaders[2] = new("X-Amz-Target", target);
        IReadOnlyList<KeyValuePair<string, string>> added = _signer.Sign(new SigV4Request("POST", "/", string.Empty, _signedHeaders, body), time);
        _headers[1] = new("X-Amz-Target", target);
        _headers[2] = added[0]; // X-Amz-Date
        _headers[3] = added[^1]; // Authorization
        HttpRequestEncoder.Write(output, "POST", "/", _host, _headers, body.Span);
    }
}

/// <summary>
/// One keep-alive connection speaking SQS: a body is written into <see cref="StartBody"/> with
/// <see cref="SqsRequests"/>, then <see cref="CallAsync"/> signs, sends and checks the response. One caller at a
/// time; the response is valid until the next call.
/// </summary>
internal sealed class SqsClient : IAsyncDisposable
{
    private readonly HttpConnection _connection;
    private readonly SqsRequestEncoder _encoder;
    private readonly ArrayBufferWriter<byte> _body = new(16 * 1024);
    private readonly ArrayBufferWriter<byte> _request = new(16 * 1024);

    private SqsClient(HttpConnection connection)
    {
        _connection = connection;
        _encoder = new SqsRequestEncoder(connection.Host);
    }

    public static async Task<SqsClient> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default) =>
        new(await HttpConnection.ConnectAsync(endPoint, cancellationToken));

    public static async Task<SqsClient[]> ConnectManyAsync(IPEndPoint endPoint, int count, CancellationToken cancellationToken = default)
    {
        var connecting = new Task<SqsClient>[count];
        for (int i = 0; i < count; i++)
        {
            connecting[i] = ConnectAsync(endPoint, cancellationToken);
        }

        return await Task.WhenAll(connecting);
    }

    /// <summary>Clears and returns the body buffer for the next request.</summary>
    public ArrayBufferWriter<byte> StartBody()
    {
        _body.ResetWrittenCount();
        return _body;
    }

    /// <summary>Signs and sends the body written since <see cref="StartBody"/>; throws <see cref="SqsException"/> unless 200.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> CallAsync(string action, CancellationToken cancellationToken = default)
    {
        _request.ResetWrittenCount();
        _encoder.Write(_request, action, _body.WrittenMemory, DateTimeOffset.UtcNow);
        HttpResponseView response = await _connection.SendAsync(_request.WrittenMemory, cancellationToken: cancellationToken);
        if (response.StatusCode != 200)
        {
            (string code, string message) = SqsResponses.Error(response.Body.Span);
            throw new SqsException(action, response.StatusCode, code, message);
        }

        return response.Body;
    }

    public async Task<SqsQueue> CreateQueueAsync(string name, CancellationToken cancellationToken = default)
    {
        SqsRequests.CreateQueue(StartBody(), name);
        ReadOnlyMemory<byte> body = await CallAsync("CreateQueue", cancellationToken);
        return new SqsQueue(name, SqsResponses.QueueUrl(body.Span));
    }

    public async Task<SqsQueue> GetQueueUrlAsync(string name, CancellationToken cancellationToken = default)
    {
        SqsRequests.GetQueueUrl(StartBody(), name);
        ReadOnlyMemory<byte> body = await CallAsync("GetQueueUrl", cancellationToken);
        return new SqsQueue(name, SqsResponses.QueueUrl(body.Span));
    }

    /// <summary>Sends a batch; throws if any entry failed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendMessageBatchAsync(SqsQueue queue, int count, long stamp, int bodyBytes, CancellationToken cancellationToken = default)
    {
        SqsRequests.SendMessageBatch(StartBody(), queue, count, stamp, bodyBytes);
        ReadOnlyMemory<byte> body = await CallAsync("SendMessageBatch", cancellationToken);
        (int successful, int failed) = SqsResponses.BatchResult(body.Span);
        if (failed != 0 || successful != count)
        {
            throw new SqsException($"SendMessageBatch: {successful} of {count} entries succeeded, {failed} failed.");
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendMessageAsync(SqsQueue queue, long stamp, int bodyBytes, CancellationToken cancellationToken = default)
    {
        SqsRequests.SendMessage(StartBody(), queue, stamp, bodyBytes);
        await CallAsync("SendMessage", cancellationToken);
    }

    /// <summary>Receives into <paramref name="into"/> (cleared first).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReceiveMessageAsync(
        SqsQueue queue, int maxMessages, int waitSeconds, ReceivedMessages into, int? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        SqsRequests.ReceiveMessage(StartBody(), queue, maxMessages, waitSeconds, visibilityTimeout);
        ReadOnlyMemory<byte> body = await CallAsync("ReceiveMessage", cancellationToken);
        into.Parse(body.Span);
    }

    /// <summary>Deletes every message of <paramref name="received"/> in one batch; returns how many were deleted.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> DeleteMessageBatchAsync(SqsQueue queue, ReceivedMessages received, CancellationToken cancellationToken = default)
    {
        SqsRequests.DeleteMessageBatch(StartBody(), queue, received);
        ReadOnlyMemory<byte> body = await CallAsync("DeleteMessageBatch", cancellationToken);
        (int successful, int failed) = SqsResponses.BatchResult(body.Span);
        if (failed != 0)
        {
            throw new SqsException($"DeleteMessageBatch: {failed} of {received.Count} entries failed.");
        }

        return successful;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask DeleteMessageAsync(SqsQueue queue, ReceivedMessages received, int index, CancellationToken cancellationToken = default)
    {
        SqsRequests.DeleteMessage(StartBody(), queue, received, index);
        await CallAsync("DeleteMessage", cancellationToken);
    }

    public async Task<Dictionary<string, string>> GetQueueAttributesAsync(SqsQueue queue, string[] names, CancellationToken cancellationToken = default)
    {
        SqsRequests.GetQueueAttributes(StartBody(), queue, names);
        ReadOnlyMemory<byte> body = await CallAsync("GetQueueAttributes", cancellationToken);
        return SqsResponses.Attributes(body.Span);
    }

    /// <summary>ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible (+ Delayed), i.e. every message the queue holds.</summary>
    public async Task<(long Visible, long NotVisible)> CountMessagesAsync(SqsQueue queue, CancellationToken cancellationToken = default)
    {
        Dictionary<string, string> attributes = await GetQueueAttributesAsync(
            queue, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"], cancellationToken);
        return (Number("ApproximateNumberOfMessages"), Number("ApproximateNumberOfMessagesNotVisible"));

        long Number(string name) => attributes.TryGetValue(name, out string? text) && long.TryParse(text, out long value)
            ? value
            : throw new InvalidDataException($"GetQueueAttributes returned no {name}.");
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
