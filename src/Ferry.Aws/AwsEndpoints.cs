using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Ferry.Aws.Auth;
using Ferry.Aws.Kinesis;
using Ferry.Aws.Sns;
using Ferry.Aws.Sqs;
using Ferry.Aws.Sqs.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws;

/// <summary>
/// The one HTTP entry of every AWS face. A request is routed by what the SDKs send: <c>X-Amz-Target</c> for the
/// JSON protocols, the <c>Action</c> and <c>Version</c> parameters (or the SigV4 credential scope) for Query.
/// </summary>
public static class AwsEndpoints
{
    /// <summary>X-Amz-Target prefix of SQS's AWS JSON 1.0 protocol.</summary>
    private const string SqsTargetPrefix = "AmazonSQS.";

    /// <summary>X-Amz-Target prefix of Kinesis's AWS JSON 1.1 (and CBOR) protocol.</summary>
    private const string KinesisTargetPrefix = "Kinesis_20131202.";

    /// <summary>Query protocol API versions.</summary>
    private const string SqsVersion = "2012-11-05";
    private const string SnsVersion = "2010-03-31";

    /// <summary>
    /// Serves POST (and Query GET) on every path but <c>/health</c>. Services are resolved per request, so the
    /// host may register them after mapping.
    /// </summary>
    public static IEndpointRouteBuilder MapFerryAws(this IEndpointRouteBuilder app)
    {
        var logger = app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Ferry.Aws");
        var router = new AwsRouter(new SqsEndpoint(app.ServiceProvider, logger), new KinesisEndpoint(app.ServiceProvider, logger),
            new SnsEndpoint(app.ServiceProvider, logger), app.ServiceProvider, logger);
        app.MapMethods("/{**path}", [HttpMethods.Post, HttpMethods.Get], router.HandleAsync);
        return app;
    }

    /// <summary>Actions SNS has and SQS does not, for Query requests that name neither version nor service.</summary>
    private static readonly HashSet<string> SnsOnlyActions = new(StringComparer.Ordinal)
    {
        "ConfirmSubscription", "Unsubscribe", "Subscribe", "Publish", "PublishBatch", "CreateTopic", "DeleteTopic", "ListTopics",
        "GetTopicAttributes", "SetTopicAttributes", "ListSubscriptions", "ListSubscriptionsByTopic", "GetSubscriptionAttributes",
        "SetSubscriptionAttributes", "TagResource", "UntagResource", "ListTagsForResource",
    };

    /// <summary>Which face and protocol a request speaks.</summary>
    private enum AwsProtocol
    {
        Unknown,
        SqsJson,
        SqsQuery,

        /// <summary>SNS Query (Version 2010-03-31, scope <c>sns</c>, or an action only SNS has).</summary>
        SnsQuery,

        /// <summary>Kinesis JSON 1.1 or CBOR (<c>Kinesis_20131202.</c>).</summary>
        KinesisJson,
    }

    private sealed class AwsRouter
    {
        private readonly SqsEndpoint _sqs;
        private readonly KinesisEndpoint _kinesis;
        private readonly SnsEndpoint _sns;
        private readonly IServiceProvider _services;
        private readonly ILogger _logger;

        public AwsRouter(SqsEndpoint sqs, KinesisEndpoint kinesis, SnsEndpoint sns, IServiceProvider services, ILogger logger)
        {
            _sqs = sqs;
            _kinesis = kinesis;
            _sns = sns;
            _services = services;
            _logger = logger;
        }

        public async Task HandleAsync(HttpContext http)
        {
            if (http.Request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            if (HttpMethods.IsGet(http.Request.Method) && SnsCertificate.IsCertificatePath(http.Request.Path))
            {
                await SnsCertificate.ServeAsync(http, _services);
                return;
            }

            var reader = http.Request.BodyReader;
            ReadResult read;
            try
            {
                // The host bounds the body (AwsLimits.MaxRequestBodyBytes); the pipe holds it in pooled segments.
                while (true)
                {
                    read = await reader.ReadAsync(http.RequestAborted);
                    if (read.IsCompleted || read.IsCanceled)
                    {
                        break;
                    }

                    reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (BadHttpRequestException e)
            {
                // The client's fault, found while reading: a chunked body past the limit (413), a malformed chunk,
                // a body arriving too slowly. Kestrel would log it as an application failure; answer it here.
                http.Response.StatusCode = e.StatusCode;
                http.Response.Headers.Connection = "close";
                return;
            }

            try
            {
                await DispatchAsync(http, read.Buffer);
            }
            catch (Exception e)
            {
                // Every face answers its own errors; this is the last resort, so that nothing leaves without a body.
                _logger.LogError(e, "AWS request on {Path} failed", http.Request.Path.Value);
                if (!http.Response.HasStarted)
                {
                    http.Response.Clear();
                    SqsEndpoint.WriteError(http, query: !http.Request.Headers.ContainsKey("X-Amz-Target"), SqsErrors.InternalError());
                }
            }
            finally
            {
                reader.AdvanceTo(read.Buffer.End);
            }
        }

        private ValueTask DispatchAsync(HttpContext http, ReadOnlySequence<byte> body)
        {
            var request = http.Request;
            var auth = SigV4Authorization.FromRequest(request);
            string? target = request.Headers["X-Amz-Target"];
            if (!string.IsNullOrEmpty(target))
            {
                if (target.StartsWith(SqsTargetPrefix, StringComparison.Ordinal))
                {
                    return _sqs.HandleJsonAsync(http, target.AsSpan(SqsTargetPrefix.Length), body, auth);
                }

                if (target.StartsWith(KinesisTargetPrefix, StringComparison.Ordinal))
                {
                    return _kinesis.HandleAsync(http, target[KinesisTargetPrefix.Length..], body);
                }

                return Unserved(http, AwsProtocol.Unknown, target);
            }

            var parameters = ReadQuery(request, body);
            var query = QueryProtocol(parameters, auth);
            return query switch
            {
                AwsProtocol.SqsQuery => _sqs.HandleQueryAsync(http, parameters, auth),
                AwsProtocol.SnsQuery => _sns.HandleAsync(http, parameters),
                _ => Unserved(http, query, parameters["Action"]),
            };
        }

        /// <summary>
        /// The Query face a request belongs to: by Version, else by credential scope, else by an action only SNS has
        /// (the SubscribeURL and UnsubscribeURL that endpoints open carry neither); SQS when nothing says.
        /// </summary>
        private static AwsProtocol QueryProtocol(QueryParameters parameters, SigV4Authorization? auth)
        {
            switch (parameters["Version"])
            {
                case SqsVersion:
                    return AwsProtocol.SqsQuery;
                case SnsVersion:
                    return AwsProtocol.SnsQuery;
            }

            return auth?.Service switch
            {
                "sns" => AwsProtocol.SnsQuery,
                "sqs" => AwsProtocol.SqsQuery,
                _ => SnsOnlyActions.Contains(parameters["Action"] ?? "") ? AwsProtocol.SnsQuery : AwsProtocol.SqsQuery,
            };
        }

        /// <summary>Query string parameters, then the form body's (a name in both keeps the query string's value).</summary>
        private static QueryParameters ReadQuery(HttpRequest request, ReadOnlySequence<byte> body)
        {
            var parameters = QueryParameters.Parse(request.QueryString.HasValue ? request.QueryString.Value! : "");
            if (!body.IsEmpty && (request.ContentType is null || request.ContentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)))
            {
                // Decoded into a pooled buffer: only the names and values become strings, not the whole body.
                var form = ArrayPool<char>.Shared.Rent(checked((int)body.Length));
                try
                {
                    QueryParameters.Parse(form.AsMemory(0, Encoding.UTF8.GetChars(body, form)), parameters);
                }
                finally
                {
                    ArrayPool<char>.Shared.Return(form);
                }
            }

            return parameters;
        }

        /// <summary>A face that is recognised (or not) but not served: answered as an unknown operation.</summary>
        private static ValueTask Unserved(HttpContext http, AwsProtocol protocol, string? action)
        {
            bool query = protocol is AwsProtocol.SqsQuery or AwsProtocol.SnsQuery or AwsProtocol.Unknown && !http.Request.Headers.ContainsKey("X-Amz-Target");
            SqsEndpoint.WriteError(http, query, SqsErrors.InvalidAction(action ?? ""));
            if (protocol == AwsProtocol.KinesisJson)
            {
                http.Response.ContentType = "application/x-amz-json-1.1";
            }

            return ValueTask.CompletedTask;
        }
    }
}
