using System.Globalization;
using System.Text;
using Ferry.Engine;
using Ferry.Engine.Queues;

namespace Ferry.Aws.Sqs;

/// <summary>Ferry's SQS: the wire models mapped onto the engine's queues, with SQS's parameter rules and wording.</summary>
internal sealed partial class SqsService(Func<Broker> broker) : ISqsService
{
    /// <summary>ListQueues and ListDeadLetterSourceQueues return at most 1,000 URLs per page.</summary>
    private const int MaxListResults = 1000;

    /// <summary>SQS queue names: 1 to 80 characters (the .fifo suffix included).</summary>
    private const int MaxQueueNameLength = 80;

    /// <summary>A queue holds at most 50 tags.</summary>
    private const int MaxTags = 50;

    private Broker Broker => broker();

    private string QueueUrl(SqsCallContext context, Queue queue) => $"{context.BaseUrl}/{Broker.Options.AccountId}/{queue.Name}";

    /// <summary>The queue a QueueUrl names: <c>http://host:port/&lt;account&gt;/&lt;name&gt;</c>, a path of that form,
    /// or, for Query requests, the request path.</summary>
    private Queue ResolveQueue(string? queueUrl, SqsCallContext context)
    {
        var url = string.IsNullOrEmpty(queueUrl) ? context.QueueUrlFromPath : queueUrl;
        if (string.IsNullOrEmpty(url))
        {
            throw SqsErrors.MissingParameter("QueueUrl");
        }

        // Path-style URLs as SDKs send them: http(s)://host[:port]/<account>/<name>, or the path alone.
        ReadOnlySpan<char> path = url;
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var rest = path[(scheme + 3)..];
            var slash = rest.IndexOf('/');
            path = slash < 0 ? [] : rest[slash..];
        }

        var end = path.IndexOfAny('?', '#');
        if (end >= 0)
        {
            path = path[..end];
        }

        path = path.Trim('/');
        var last = path.LastIndexOf('/');
        var name = last < 0 ? path : path[(last + 1)..];
        if (name.IsEmpty || (last >= 0 && !path[..last].SequenceEqual(Broker.Options.AccountId)))
        {
            throw SqsErrors.QueueDoesNotExist();
        }

        var queue = name.Contains('%') ? Broker.FindQueue(Uri.UnescapeDataString(name.ToString())) : Broker.FindQueue(name);
        return queue ?? throw SqsErrors.QueueDoesNotExist();
    }

    private Queue ResolveArn(string? arn, string parameter)
    {
        if (string.IsNullOrEmpty(arn))
        {
            throw SqsErrors.MissingParameter(parameter);
        }

        if (!arn.StartsWith("arn:aws:sqs:", StringComparison.Ordinal))
        {
            throw SqsErrors.InvalidParameterValue(parameter, arn, "You must use this format to specify the " + parameter + ": arn:<partition>:<service>:<region>:<account-id>:<resource-id>.");
        }

        return Broker.FindQueueByArn(arn) ?? throw SqsErrors.ResourceNotFoundException("The resource that you specified for the " + parameter + " parameter doesn't exist.");
    }

    /// <summary>Maps an engine refusal to SQS's error.</summary>
    private static SqsException Map(EngineException ex) => ex.Error switch
    {
        EngineError.QueueDoesNotExist => SqsErrors.QueueDoesNotExist(),
        EngineError.QueueNameExists => new SqsException(SqsErrors.QueueNameExistsShape, ex.Message),
        EngineError.QueueDeletedRecently => new SqsException(SqsErrors.QueueDeletedRecentlyShape, ex.Message),
        EngineError.ReceiptHandleIsInvalid => new SqsException(SqsErrors.ReceiptHandleIsInvalidShape, ex.Message),
        EngineError.MessageNotInflight => new SqsException(SqsErrors.MessageNotInflightShape, ex.Message),
        EngineError.PurgeQueueInProgress => new SqsException(SqsErrors.PurgeQueueInProgressShape, ex.Message),
        EngineError.ResourceNotFound => new SqsException(SqsErrors.ResourceNotFoundExceptionShape, ex.Message),
        EngineError.UnsupportedOperation => new SqsException(SqsErrors.UnsupportedOperationShape, ex.Message),
        EngineError.OverLimit => new SqsException(SqsErrors.OverLimitShape, ex.Message),
        EngineError.ServiceUnavailable => new SqsException(SqsErrors.ServiceUnavailableShape, ex.Message),
        _ => new SqsException(SqsErrors.InvalidParameterValueShape, ex.Message),
    };

    private static async ValueTask<T> Engine<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            throw Map(ex);
        }
    }

    private static async ValueTask<EmptyResult> Engine(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
            return EmptyResult.Instance;
        }
        catch (EngineException ex)
        {
            throw Map(ex);
        }
    }

    public async ValueTask<CreateQueueResult> CreateQueueAsync(CreateQueueRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var name = request.QueueName ?? throw SqsErrors.MissingParameter("QueueName");
        var fifo = name.EndsWith(".fifo", StringComparison.Ordinal);
        var baseName = fifo ? name[..^5] : name;
        if (name.Length is 0 or > MaxQueueNameLength || baseName.Length == 0 || !baseName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw SqsErrors.InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }

        var attributes = request.Attributes ?? [];
        var fifoAttribute = attributes.TryGetValue("FifoQueue", out var f) ? f : null;
        if (fifoAttribute is not null && !fifoAttribute.Equals("true", StringComparison.OrdinalIgnoreCase) && !fifoAttribute.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            throw SqsErrors.InvalidAttributeValue("FifoQueue");
        }

        var wantsFifo = fifoAttribute?.Equals("true", StringComparison.OrdinalIgnoreCase) == true;
        if (wantsFifo != fifo)
        {
            throw SqsErrors.InvalidParameterValue(fifo
                ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
                : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }

        var normalized = ValidateAttributes(attributes, name, fifo, creating: true);
        if (request.Tags is { Count: > MaxTags })
        {
            throw SqsErrors.InvalidParameterValue($"Too many tags added for queue {name}.");
        }

        var queue = await Engine(() => Broker.CreateQueueAsync(name, normalized, request.Tags)).ConfigureAwait(false);
        return new CreateQueueResult { QueueUrl = QueueUrl(context, queue) };
    }

    public ValueTask<EmptyResult> DeleteQueueAsync(DeleteQueueRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        return Engine(() => Broker.DeleteQueueAsync(queue));
    }

    public ValueTask<GetQueueUrlResult> GetQueueUrlAsync(GetQueueUrlRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        if (request.QueueOwnerAWSAccountId is { Length: > 0 } owner && owner != Broker.Options.AccountId)
        {
            throw SqsErrors.QueueDoesNotExist();
        }

        var queue = Broker.FindQueue(request.QueueName ?? string.Empty) ?? throw SqsErrors.QueueDoesNotExist();
        return ValueTask.FromResult(new GetQueueUrlResult { QueueUrl = QueueUrl(context, queue) });
    }

    public ValueTask<ListQueuesResult> ListQueuesAsync(ListQueuesRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var (page, next) = Page(Broker.ListQueues(request.QueueNamePrefix), request.MaxResults, request.NextToken);
        return ValueTask.FromResult(new ListQueuesResult
        {
            QueueUrls = page.Count == 0 && request.MaxResults is null ? null : [.. page.Select(q => QueueUrl(context, q))],
            NextToken = next,
        });
    }

    /// <summary>A page of queues sorted by name; the token is the last name returned, encoded.</summary>
    private static (List<Queue> Page, string? NextToken) Page(IReadOnlyList<Queue> all, int? maxResults, string? nextToken)
    {
        if (maxResults is < 1 or > MaxListResults)
        {
            throw SqsErrors.InvalidParameterValue("MaxResults", maxResults?.ToString(CultureInfo.InvariantCulture), "MaxResults must be an integer between 1 and 1000.");
        }

        if (nextToken is not null && maxResults is null)
        {
            throw SqsErrors.InvalidParameterValue("MaxResults is a mandatory parameter when you provide a value for the NextToken parameter.");
        }

        var after = string.Empty;
        if (!string.IsNullOrEmpty(nextToken))
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(nextToken));
            }
            catch (FormatException)
            {
                throw SqsErrors.InvalidParameterValue("Invalid NextToken value.");
            }
        }

        var start = all.Where(q => string.CompareOrdinal(q.Name, after) > 0).ToList();
        var size = maxResults ?? MaxListResults;
        var page = start.Take(size).ToList();
        var next = maxResults is not null && start.Count > size ? Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Name)) : null;
        return (page, next);
    }

    public ValueTask<EmptyResult> PurgeQueueAsync(PurgeQueueRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        return Engine(queue.PurgeAsync);
    }

    public ValueTask<EmptyResult> TagQueueAsync(TagQueueRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var tags = request.Tags ?? [];
        if (queue.Tags.Keys.Union(tags.Keys).Count() > MaxTags)
        {
            throw SqsErrors.InvalidParameterValue($"Too many tags added for queue {queue.Name}.");
        }

        return Engine(() => Broker.UpdateQueueAsync(queue, null, tags, null));
    }

    public ValueTask<EmptyResult> UntagQueueAsync(UntagQueueRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        return Engine(() => Broker.UpdateQueueAsync(queue, null, null, request.TagKeys ?? []));
    }

    public ValueTask<ListQueueTagsResult> ListQueueTagsAsync(ListQueueTagsRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        return ValueTask.FromResult(new ListQueueTagsResult { Tags = queue.Tags.Count == 0 ? null : new Dictionary<string, string>(queue.Tags) });
    }

    public ValueTask<ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueuesAsync(ListDeadLetterSourceQueuesRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var (page, next) = Page(Broker.ListDeadLetterSourceQueues(queue), request.MaxResults, request.NextToken);
        return ValueTask.FromResult(new ListDeadLetterSourceQueuesResult { QueueUrls = [.. page.Select(q => QueueUrl(context, q))], NextToken = next });
    }

    public async ValueTask<StartMessageMoveTaskResult> StartMessageMoveTaskAsync(StartMessageMoveTaskRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var source = ResolveArn(request.SourceArn, "SourceArn");
        var destination = string.IsNullOrEmpty(request.DestinationArn) ? null : ResolveArn(request.DestinationArn, "DestinationArn");
        if (request.MaxNumberOfMessagesPerSecond is < 1 or > 500)
        {
            throw SqsErrors.InvalidParameterValue("MaxNumberOfMessagesPerSecond", request.MaxNumberOfMessagesPerSecond?.ToString(CultureInfo.InvariantCulture), "Must be between 1 and 500.");
        }

        var handle = await Engine(() => Broker.StartMessageMoveTaskAsync(source, destination, request.MaxNumberOfMessagesPerSecond)).ConfigureAwait(false);
        return new StartMessageMoveTaskResult { TaskHandle = handle };
    }

    public async ValueTask<CancelMessageMoveTaskResult> CancelMessageMoveTaskAsync(CancelMessageMoveTaskRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var handle = request.TaskHandle ?? throw SqsErrors.MissingParameter("TaskHandle");
        var moved = await Engine(() => Broker.CancelMessageMoveTaskAsync(handle)).ConfigureAwait(false);
        return new CancelMessageMoveTaskResult { ApproximateNumberOfMessagesMoved = moved };
    }

    public ValueTask<ListMessageMoveTasksResult> ListMessageMoveTasksAsync(ListMessageMoveTasksRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var source = ResolveArn(request.SourceArn, "SourceArn");
        if (request.MaxResults is < 1 or > 10)
        {
            throw SqsErrors.InvalidParameterValue("MaxResults", request.MaxResults?.ToString(CultureInfo.InvariantCulture), "Must be between 1 and 10.");
        }

        var tasks = Broker.ListMessageMoveTasks(source, request.MaxResults ?? 1);
        return ValueTask.FromResult(new ListMessageMoveTasksResult
        {
            Results = [.. tasks.Select(t => new ListMessageMoveTasksResultEntry
            {
                TaskHandle = t.Status == "RUNNING" ? t.TaskHandle : null,
                Status = t.Status,
                SourceArn = t.SourceArn,
                DestinationArn = t.DestinationArn,
                MaxNumberOfMessagesPerSecond = t.MaxNumberOfMessagesPerSecond,
                ApproximateNumberOfMessagesMoved = t.ApproximateNumberOfMessagesMoved,
                ApproximateNumberOfMessagesToMove = t.ApproximateNumberOfMessagesToMove,
                FailureReason = t.FailureReason,
                StartedTimestamp = t.StartedTimestamp,
            })],
        });
    }
}
