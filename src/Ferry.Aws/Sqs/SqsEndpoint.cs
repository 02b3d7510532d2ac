using System.Buffers;
using Ferry.Aws.Auth;
using Ferry.Aws.Sqs.Query;
using Ferry.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Sqs;

/// <summary>Serves one SQS request in either protocol: parse, check, call <see cref="ISqsService"/>, answer.</summary>
internal sealed class SqsEndpoint
{
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;

    public SqsEndpoint(IServiceProvider services, ILogger logger)
    {
        _services = services;
        _logger = logger;
    }

    /// <summary>An AWS JSON 1.0 request; <paramref name="action"/> is the part of X-Amz-Target after <c>AmazonSQS.</c>.</summary>
    public ValueTask HandleJsonAsync(HttpContext http, ReadOnlySpan<char> action, ReadOnlySequence<byte> body, SigV4Authorization? auth)
    {
        var context = CreateContext(http, auth, query: false, queueUrlFromPath: null);
        try
        {
            if (!SqsOperations.BySpan.TryGetValue(action, out var operation))
            {
                throw SqsErrors.InvalidAction(action.ToString());
            }

            object request = operation.ParseJson(body);
            var pending = operation.RunAsync(request, Service(), context, http.Response, http.RequestAborted);
            return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : Awaited(pending, http, context);
        }
        catch (Exception e)
        {
            Fail(http, context, e);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A Query-protocol request whose parameters (form body and query string) are already parsed.</summary>
    public ValueTask HandleQueryAsync(HttpContext http, QueryParameters parameters, SigV4Authorization? auth)
    {
        var context = CreateContext(http, auth, query: true, QueueUrlFromPath(http));
        try
        {
            string? action = parameters["Action"];
            if (string.IsNullOrEmpty(action))
            {
                throw SqsErrors.MissingParameter("Action");
            }

            if (!SqsOperations.ByName.TryGetValue(action, out var operation))
            {
                throw SqsErrors.InvalidAction(action);
            }

            object request = operation.BindQuery(parameters, context);
            var pending = operation.RunAsync(request, Service(), context, http.Response, http.RequestAborted);
            return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : Awaited(pending, http, context);
        }
        catch (Exception e)
        {
            Fail(http, context, e);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Answers an error in the call's protocol, for callers that fail before an action is known.</summary>
    public static void WriteError(HttpContext http, bool query, SqsException error) =>
        SqsResponses.WriteError(http.Response, query, NewRequestId(), error.Error, error.Message);

    private async ValueTask Awaited(ValueTask pending, HttpContext http, SqsCallContext context)
    {
        try
        {
            await pending;
        }
        catch (Exception e)
        {
            Fail(http, context, e);
        }
    }

    private ISqsService Service() => _services.GetRequiredService<ISqsService>();

    private void Fail(HttpContext http, SqsCallContext context, Exception e)
    {
        if (e is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            return; // The client is gone; there is nobody to answer.
        }

        if (http.Response.HasStarted)
        {
            _logger.LogError(e, "SQS request {RequestId} failed after its response started", context.RequestId);
            http.Abort();
            return;
        }

        if (e is SqsException aws)
        {
            SqsResponses.WriteError(http.Response, context.IsQueryProtocol, context.RequestId, aws.Error, aws.Message);
            return;
        }

        _logger.LogError(e, "SQS request {RequestId} failed", context.RequestId);
        var internalError = SqsErrors.InternalError();
        SqsResponses.WriteError(http.Response, context.IsQueryProtocol, context.RequestId, internalError.Error, internalError.Message);
    }

    private static SqsCallContext CreateContext(HttpContext http, SigV4Authorization? auth, bool query, string? queueUrlFromPath)
    {
        var request = http.Request;
        return new SqsCallContext(NewRequestId(), request.Scheme, request.Host.HasValue ? request.Host.Value! : "localhost")
        {
            AccessKeyId = auth?.AccessKeyId,
            Region = auth?.Region,
            IsQueryProtocol = query,
            QueueUrlFromPath = queueUrlFromPath,
        };
    }

    /// <summary><c>/&lt;account&gt;/&lt;queue&gt;</c> names a queue; any other path does not.</summary>
    private static string? QueueUrlFromPath(HttpContext http)
    {
        string? path = http.Request.Path.Value;
        if (string.IsNullOrEmpty(path) || path.Length < 4 || path[0] != '/')
        {
            return null;
        }

        ReadOnlySpan<char> rest = path.AsSpan(1).TrimEnd('/');
        int slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1 || rest[(slash + 1)..].Contains('/'))
        {
            return null;
        }

        var request = http.Request;
        return request.Scheme + "://" + request.Host.Value + "/" + rest.ToString();
    }

    private static string NewRequestId() => UniqueIds.Next().ToString();
}
