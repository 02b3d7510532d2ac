using System.Buffers;
using Ferry.Bench.Http;

namespace Ferry.Bench.Aws;

/// <summary>
/// Encodes a signed AWS request as the SDKs send it: <c>POST /</c> with a service-specific content type, for the JSON
/// protocols an <c>X-Amz-Target: &lt;prefix&gt;&lt;Action&gt;</c> header, and SigV4 over content-type, host, x-amz-date
/// and x-amz-target when present. The Query protocol (SNS) names the action in the form body instead.
/// </summary>
internal sealed class AwsRequestEncoder
{
    /// <summary>The credentials every benchmark request is signed with (the conventional ones of local AWS endpoints).</summary>
    public const string AccessKeyId = "test";

    public const string SecretAccessKey = "test";

    public const string Region = "us-east-1";

    private readonly SigV4Signer _signer;
    private readonly string _host;
    private readonly string? _targetPrefix;
    private readonly KeyValuePair<string, string>[] _signedHeaders;
    private readonly KeyValuePair<string, string>[] _headers;

    /// <param name="host">The Host header value.</param>
    /// <param name="service">The SigV4 service name of the credential scope (sqs, sns, kinesis).</param>
    /// <param name="contentType">The Content-Type header, signed.</param>
    /// <param name="targetPrefix">For JSON protocols the X-Amz-Target prefix (e.g. <c>AmazonSQS.</c>); null for Query.</param>
    /// <param name="signer">The signer; by default one for <see cref="AccessKeyId"/> in <see cref="Region"/>.</param>
    public AwsRequestEncoder(string host, string service, string contentType, string? targetPrefix, SigV4Signer? signer = null)
    {
        _host = host;
        _targetPrefix = targetPrefix;
        _signer = signer ?? new SigV4Signer(AccessKeyId, SecretAccessKey, Region, service);
        _signedHeaders = targetPrefix is null
            ? [new("Content-Type", contentType), new("Host", host)]
            : [new("Content-Type", contentType), new("Host", host), default];
        _headers = new KeyValuePair<string, string>[targetPrefix is null ? 3 : 4];
        _headers[0] = new("Content-Type", contentType);
    }

    /// <summary>Writes the complete HTTP/1.1 request for <paramref name="action"/> with <paramref name="body"/>, signed at
    /// <paramref name="time"/>; <paramref name="payloadHash"/> is the body's hex SHA-256 if the caller has it.</summary>
    public void Write(IBufferWriter<byte> output, string action, ReadOnlyMemory<byte> body, DateTimeOffset time, string? payloadHash = null)
    {
        int next = 1;
        if (_targetPrefix is not null)
        {
            var target = new KeyValuePair<string, string>("X-Amz-Target", _targetPrefix + action);
            _signedHeaders[2] = target;
            _headers[next++] = target;
        }

        IReadOnlyList<KeyValuePair<string, string>> added = _signer.Sign(new SigV4Request("POST", "/", string.Empty, _signedHeaders, body, payloadHash), time);
        _headers[next++] = added[0]; // X-Amz-Date
        _headers[next] = added[^1]; // Authorization
        HttpRequestEncoder.Write(output, "POST", "/", _host, _headers, body.Span);
    }
}
