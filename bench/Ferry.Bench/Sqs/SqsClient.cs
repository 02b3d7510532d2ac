using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Ferry.Bench.Aws;

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

    public SqsRequestEncoder(string host, SigV4Signer? signer = null) =>
        Encoder = new AwsRequestEncoder(host, "sqs", ContentType, "AmazonSQS.", signer);

    /// <summary>The shared encoder configured for SQS.</summary>
    public AwsRequestEncoder Encoder { get; }

    /// <summary>Writes the complete HTTP/1.1 request for <paramref name="action"/> with <paramref name="body"/>, signed at <paramref name="time"/>.</summary>
    public void Write(IBufferWriter<byte> output, string action, ReadOnlyMemory<byte> body, DateTimeOffset time) =>
        Encoder.Write(output, action, body, time);
}

/// <summary>
/// One keep-alive connection speaking SQS: each action writes its body with <see cref="SqsRequests"/> and calls it
/// through an <see cref="AwsConnection"/>. One caller at a time.
/// </summary>
internal sealed class SqsClient : IAsyncDisposable
{
    private readonly AwsConnection _aws;

    private SqsClient(AwsConnection aws) => _aws = aws;

    public static async Task<SqsClient> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default) =>
        new(await AwsConnection.ConnectAsync(endPoint, host => new SqsRequestEncoder(host).Encoder, SqsResponses.Error, cancellationToken));

    public static Task<SqsClient[]> ConnectManyAsync(IPEndPoint endPoint, int count, CancellationToken cancellationToken = default) =>
        AwsConnection.ConnectManyAsync(() => ConnectAsync(endPoint, cancellationToken), count);

    private ArrayBufferWriter<byte> StartBody() => _aws.StartBody();

    private ValueTask<ReadOnlyMemory<byte>> CallAsync(string action, CancellationToken cancellationToken) => _aws.CallAsync(action, cancellationToken);

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

    /// <summary>The queue's ARN (the endpoint of an SNS subscription), from GetQueueAttributes.</summary>
    public async Task<string> QueueArnAsync(SqsQueue queue, CancellationToken cancellationToken = default) =>
        (await GetQueueAttributesAsync(queue, ["QueueArn"], cancellationToken)).TryGetValue("QueueArn", out string? arn)
            ? arn
            : throw new InvalidDataException("GetQueueAttributes returned no QueueArn.");

    public async Task DeleteQueueAsync(SqsQueue queue, CancellationToken cancellationToken = default)
    {
        SqsRequests.QueueOnly(StartBody(), queue);
        await CallAsync("DeleteQueue", cancellationToken);
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

    public ValueTask DisposeAsync() => _aws.DisposeAsync();
}
