using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Ferry.Bench.Aws;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Sns;

/// <summary>
/// One keep-alive connection speaking SNS as the SDKs do over the Query protocol: <c>POST /</c> with a form body
/// (<c>Action=…&amp;Version=2010-03-31&amp;…</c>), <c>Content-Type: application/x-www-form-urlencoded; charset=utf-8</c>,
/// SigV4 (service <c>sns</c>) over content-type, host and x-amz-date. One caller at a time; a response is valid until
/// the next call (through an <see cref="AwsConnection"/>). Errors are thrown as <see cref="SqsException"/>, the benchmark's AWS error.
/// </summary>
internal sealed class SnsClient : IAsyncDisposable
{
    /// <summary>The content type botocore sends with Query requests.</summary>
    public const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private readonly AwsConnection _aws;

    private SnsClient(AwsConnection aws) => _aws = aws;

    /// <summary>The encoder of SNS requests to <paramref name="host"/>.</summary>
    public static AwsRequestEncoder Encoder(string host, SigV4Signer? signer = null) => new(host, "sns", ContentType, targetPrefix: null, signer);

    public static async Task<SnsClient> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default) =>
        new(await AwsConnection.ConnectAsync(endPoint, host => Encoder(host), SnsResponses.Error, cancellationToken));

    /// <summary>A client for <see cref="StartPublish"/> and <see cref="TryCompletePublish"/> only: it connects on its first publish.</summary>
    public static SnsClient CreatePolled(IPEndPoint endPoint) => new(AwsConnection.Create(endPoint, host => Encoder(host), SnsResponses.Error));

    public static Task<SnsClient[]> ConnectManyAsync(IPEndPoint endPoint, int count, CancellationToken cancellationToken = default) =>
        AwsConnection.ConnectManyAsync(() => ConnectAsync(endPoint, cancellationToken), count);

    private ArrayBufferWriter<byte> StartBody() => _aws.StartBody();

    private ValueTask<ReadOnlyMemory<byte>> CallAsync(string action, CancellationToken cancellationToken) => _aws.CallAsync(action, cancellationToken);

    public async Task<SnsTopic> CreateTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        SnsRequests.CreateTopic(StartBody(), name);
        ReadOnlyMemory<byte> body = await CallAsync("CreateTopic", cancellationToken);
        return new SnsTopic(SnsResponses.Element(body.Span, "TopicArn") ?? throw new InvalidDataException("CreateTopic answered without TopicArn."));
    }

    /// <summary>Subscribes a queue (by its ARN) with the given subscription attributes; returns the subscription's ARN.</summary>
    public async Task<string> SubscribeQueueAsync(
        SnsTopic topic, string queueArn, IReadOnlyList<KeyValuePair<string, string>> attributes, CancellationToken cancellationToken = default)
    {
        SnsRequests.Subscribe(StartBody(), topic, "sqs", queueArn, attributes);
        ReadOnlyMemory<byte> body = await CallAsync("Subscribe", cancellationToken);
        return SnsResponses.Element(body.Span, "SubscriptionArn") ?? throw new InvalidDataException("Subscribe answered without SubscriptionArn.");
    }

    public async Task UnsubscribeAsync(string subscriptionArn, CancellationToken cancellationToken = default)
    {
        SnsRequests.Unsubscribe(StartBody(), subscriptionArn);
        await CallAsync("Unsubscribe", cancellationToken);
    }

    /// <summary>Publishes one stamped message (see <see cref="SnsRequests.Publish"/>).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask PublishAsync(SnsTopic topic, long stamp, int bodyBytes, long amount, bool probe, CancellationToken cancellationToken = default)
    {
        SnsRequests.Publish(StartBody(), topic, stamp, bodyBytes, amount, probe);
        await CallAsync("Publish", cancellationToken);
    }

    /// <summary>The connection's socket while connected (see <see cref="StartPublish"/>).</summary>
    public System.Net.Sockets.Socket? Socket => _aws.Socket;

    /// <summary>Sends a publish like <see cref="PublishAsync"/> on the calling thread; <see cref="TryCompletePublish"/> reads
    /// its response once <see cref="Socket"/> is readable.</summary>
    public void StartPublish(SnsTopic topic, long stamp, int bodyBytes, long amount, bool probe)
    {
        SnsRequests.Publish(StartBody(), topic, stamp, bodyBytes, amount, probe);
        _aws.Start("Publish");
    }

    /// <summary>Reads the readable socket; true once the publish's response is in (an error response throws).</summary>
    public bool TryCompletePublish() => _aws.TryComplete("Publish");

    public ValueTask DisposeAsync() => _aws.DisposeAsync();
}
