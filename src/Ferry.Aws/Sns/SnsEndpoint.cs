using System.Buffers;
using Ferry.Aws.Sqs;
using Ferry.Aws.Sqs.Query;
using Ferry.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Sns;

/// <summary>Serves one SNS Query request: dispatch by <c>Action</c>, answer XML in SNS's namespace, errors as SNS words them.</summary>
internal sealed class SnsEndpoint
{
    /// <summary>The namespace of every SNS response.</summary>
    public const string Namespace = "http://sns.amazonaws.com/doc/2010-03-31/";

    private static readonly Dictionary<string, Func<SnsService, SnsCall, Task<Action<SqsXml>?>>> Actions = new(StringComparer.Ordinal)
    {
        ["CreateTopic"] = (s, c) => s.CreateTopicAsync(c),
        ["DeleteTopic"] = (s, c) => s.DeleteTopicAsync(c),
        ["ListTopics"] = (s, c) => s.ListTopicsAsync(c),
        ["GetTopicAttributes"] = (s, c) => s.GetTopicAttributesAsync(c),
        ["SetTopicAttributes"] = (s, c) => s.SetTopicAttributesAsync(c),
        ["Subscribe"] = (s, c) => s.SubscribeAsync(c),
        ["ConfirmSubscription"] = (s, c) => s.ConfirmSubscriptionAsync(c),
        ["Unsubscribe"] = (s, c) => s.UnsubscribeAsync(c),
        ["ListSubscriptions"] = (s, c) => s.ListSubscriptionsAsync(c),
        ["ListSubscriptionsByTopic"] = (s, c) => s.ListSubscriptionsByTopicAsync(c),
        ["GetSubscriptionAttributes"] = (s, c) => s.GetSubscriptionAttributesAsync(c),
        ["SetSubscriptionAttributes"] = (s, c) => s.SetSubscriptionAttributesAsync(c),
        ["Publish"] = (s, c) => s.PublishAsync(c),
        ["PublishBatch"] = (s, c) => s.PublishBatchAsync(c),
        ["TagResource"] = (s, c) => s.TagResourceAsync(c),
        ["UntagResource"] = (s, c) => s.UntagResourceAsync(c),
        ["ListTagsForResource"] = (s, c) => s.ListTagsForResourceAsync(c),
        ["AddPermission"] = (s, c) => s.AddPermissionAsync(c),
        ["RemovePermission"] = (s, c) => s.RemovePermissionAsync(c),
    };

    /// <summary>SNS actions of mobile push, SMS, email and data protection, which Ferry answers as not supported.</summary>
    private static readonly HashSet<string> UnsupportedActions = new(StringComparer.Ordinal)
    {
        "CheckIfPhoneNumberIsOptedOut", "CreatePlatformApplication", "CreatePlatformEndpoint", "CreateSMSSandboxPhoneNumber",
        "DeleteEndpoint", "DeletePlatformApplication", "DeleteSMSSandboxPhoneNumber", "GetDataProtectionPolicy",
        "GetEndpointAttributes", "GetPlatformApplicationAttributes", "GetSMSAttributes", "GetSMSSandboxAccountStatus",
        "ListEndpointsByPlatformApplication", "ListOriginationNumbers", "ListPhoneNumbersOptedOut", "ListPlatformApplications",
        "ListSMSSandboxPhoneNumbers", "OptInPhoneNumber", "PutDataProtectionPolicy", "SetEndpointAttributes",
        "SetPlatformApplicationAttributes", "SetSMSAttributes", "VerifySMSSandboxPhoneNumber",
    };

    private readonly IServiceProvider _services;
    private readonly ILogger _logger;

    public SnsEndpoint(IServiceProvider services, ILogger logger)
    {
        _services = services;
        _logger = logger;
    }

    public async ValueTask HandleAsync(HttpContext http, QueryParameters parameters)
    {
        var call = new SnsCall(parameters, UniqueIds.Next().ToString());
        try
        {
            var action = parameters["Action"];
            if (string.IsNullOrEmpty(action))
            {
                throw SnsException.MissingParameter("Action");
            }

            if (UnsupportedActions.Contains(action))
            {
                throw SnsException.NotSupported(action);
            }

            if (!Actions.TryGetValue(action, out var run))
            {
                throw new SnsException("InvalidAction", 400, "The action " + action + " is not valid for this web service.");
            }

            var result = await run(_services.GetRequiredService<SnsService>(), call);
            SqsResponses.WriteQuery(http.Response, call.RequestId, SqsXml.Response(action, call.RequestId, result, Namespace));
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            var error = e switch
            {
                SnsException sns => sns,
                SqsException sqs => SnsException.InvalidParameter(sqs.Message),
                Ferry.Engine.EngineException engine when engine.Error == Ferry.Engine.EngineError.ResourceNotFound => SnsException.NotFound(engine.Message),
                Ferry.Engine.EngineException engine when engine.Error == Ferry.Engine.EngineError.ServiceUnavailable =>
                    new SnsException("ServiceUnavailable", 503, engine.Message, senderFault: false),
                _ => null,
            };
            if (error is null)
            {
                _logger.LogError(e, "SNS request {RequestId} failed", call.RequestId);
                error = new SnsException();
            }

            WriteError(http, call.RequestId, error);
        }
    }

    /// <summary>An SNS <c>ErrorResponse</c>.</summary>
    public static void WriteError(HttpContext http, string requestId, SnsException error)
    {
        var shape = new SqsError(error.Code, error.Code, error.HttpStatus, error.SenderFault);
        http.Response.Clear();
        http.Response.StatusCode = error.HttpStatus;
        http.Response.ContentType = "text/xml";
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        var body = System.Text.Encoding.UTF8.GetBytes(SqsXml.Error(shape, error.Message, requestId, Namespace));
        http.Response.ContentLength = body.Length;
        http.Response.BodyWriter.Write(body);
    }
}
