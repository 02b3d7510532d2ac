using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Aws.Sqs.Query;
using Microsoft.AspNetCore.Http;

namespace Ferry.Aws.Sqs;

/// <summary>One SQS action as both protocols see it: how to read its request, check it, call it and write its result.</summary>
internal abstract class SqsOperation
{
    protected SqsOperation(string name)
    {
        Name = name;
    }

    /// <summary>The action's name: <c>X-Amz-Target: AmazonSQS.&lt;Name&gt;</c> or <c>Action=&lt;Name&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>Reads an AWS JSON 1.0 request body; malformed JSON or a member of the wrong type is a SerializationException.</summary>
    public abstract object ParseJson(ReadOnlySequence<byte> body);

    /// <summary>Builds the request from Query parameters.</summary>
    public abstract object BindQuery(QueryParameters parameters, SqsCallContext context);

    /// <summary>Checks the request's structure, calls the service and writes its result in the call's protocol.</summary>
    public abstract ValueTask RunAsync(object request, ISqsService service, SqsCallContext context, HttpResponse response, CancellationToken cancellationToken);
}

/// <inheritdoc/>
internal sealed class SqsOperation<TRequest, TResult> : SqsOperation
    where TRequest : class, new()
    where TResult : class
{
    private readonly JsonTypeInfo<TRequest> _requestJson;
    private readonly JsonTypeInfo<TResult> _resultJson;
    private readonly Func<QueryParameters, SqsCallContext, TRequest> _bind;
    private readonly Action<TRequest> _validate;
    private readonly Func<ISqsService, TRequest, SqsCallContext, CancellationToken, ValueTask<TResult>> _invoke;
    private readonly Action<SqsXml, TResult>? _writeXml;

    public SqsOperation(
        string name,
        JsonTypeInfo<TRequest> requestJson,
        JsonTypeInfo<TResult> resultJson,
        Func<QueryParameters, SqsCallContext, TRequest> bind,
        Action<TRequest> validate,
        Func<ISqsService, TRequest, SqsCallContext, CancellationToken, ValueTask<TResult>> invoke,
        Action<SqsXml, TResult>? writeXml)
        : base(name)
    {
        _requestJson = requestJson;
        _resultJson = resultJson;
        _bind = bind;
        _validate = validate;
        _invoke = invoke;
        _writeXml = writeXml;
    }

    public override object ParseJson(ReadOnlySequence<byte> body)
    {
        if (body.IsEmpty)
        {
            return new TRequest();
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            return JsonSerializer.Deserialize(ref reader, _requestJson) ?? new TRequest();
        }
        catch (JsonException e)
        {
            throw SqsErrors.SerializationException(SerializationMessage(e));
        }
    }

    public override object BindQuery(QueryParameters parameters, SqsCallContext context) => _bind(parameters, context);

    public override ValueTask RunAsync(object request, ISqsService service, SqsCallContext context, HttpResponse response, CancellationToken cancellationToken)
    {
        var typed = (TRequest)request;
        _validate(typed);
        var pending = _invoke(service, typed, context, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            Write(pending.Result, context, response);
            return ValueTask.CompletedTask;
        }

        return Awaited(pending, context, response);
    }

    private async ValueTask Awaited(ValueTask<TResult> pending, SqsCallContext context, HttpResponse response) =>
        Write(await pending, context, response);

    private void Write(TResult result, SqsCallContext context, HttpResponse response)
    {
        if (context.IsQueryProtocol)
        {
            SqsResponses.WriteQuery(response, context.RequestId, SqsXml.Response(
                Name,
                context.RequestId,
                _writeXml is null ? null : x => _writeXml(x, result)));
        }
        else
        {
            SqsResponses.WriteJson(response, context.RequestId, result, _resultJson);
        }
    }

    /// <summary>AWS answers a body it cannot read with a short SerializationException; the reader's position helps.</summary>
    private static string SerializationMessage(JsonException e) =>
        e.Path is { Length: > 1 } path
            ? $"Unable to read the request body: unexpected value at {path[2..]}."
            : "Unable to read the request body: it is not a JSON object.";
}
