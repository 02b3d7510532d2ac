using Ferry.Aws.Sqs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws;

/// <summary>A queue that configuration declares: it exists when Ferry starts.</summary>
/// <param name="Name">The queue name (<c>.fifo</c> for a FIFO queue).</param>
/// <param name="Attributes">SQS attributes, as CreateQueue takes them.</param>
/// <param name="Tags">Tags.</param>
public sealed record QueueDeclaration(string Name, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Tags);

/// <summary>A declared queue that SQS refuses as configured.</summary>
public sealed class QueueDeclarationException(string queue, string reason)
    : Exception($"declared queue '{queue}': {reason}");

/// <summary>Creates the queues configuration declares, through the same SQS rules a CreateQueue call follows.</summary>
public static class DeclaredQueues
{
    /// <summary>Creates every declared queue that is missing, and brings existing ones to the declared attributes
    /// and tags (declaring a queue as it already is changes nothing). Dead-letter queues are created before the
    /// queues whose RedrivePolicy names them.</summary>
    /// <exception cref="QueueDeclarationException">A declaration is invalid; the message names the queue and the reason.</exception>
    public static async Task ApplyAsync(IServiceProvider services, IReadOnlyList<QueueDeclaration> queues, string baseUrl, ILogger logger, CancellationToken cancellationToken)
    {
        var sqs = services.GetRequiredService<ISqsService>();
        var uri = new Uri(baseUrl);
        var context = new SqsCallContext("declared-queues", uri.Scheme, uri.Authority);
        var pending = queues.ToList();
        while (pending.Count > 0)
        {
            // A queue whose dead-letter queue is still to be declared waits for it.
            var ready = pending.Where(q => !pending.Any(other => other != q && RedriveTarget(q)?.EndsWith(":" + other.Name, StringComparison.Ordinal) == true)).ToList();
            if (ready.Count == 0)
            {
                throw new QueueDeclarationException(pending[0].Name, "its RedrivePolicy forms a cycle with other declared queues");
            }

            foreach (var q in ready)
            {
                pending.Remove(q);
                await ApplyOneAsync(sqs, context, q, logger, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string? RedriveTarget(QueueDeclaration q) =>
        q.Attributes.TryGetValue("RedrivePolicy", out var policy) && policy.Contains("deadLetterTargetArn", StringComparison.Ordinal)
            ? System.Text.Json.JsonDocument.Parse(policy).RootElement.GetProperty("deadLetterTargetArn").GetString()
            : null;

    private static async Task ApplyOneAsync(ISqsService sqs, SqsCallContext context, QueueDeclaration q, ILogger logger, CancellationToken cancellationToken)
    {
        var attributes = new Dictionary<string, string>(q.Attributes, StringComparer.Ordinal);
        var tags = new Dictionary<string, string>(q.Tags, StringComparer.Ordinal);
        try
        {
            try
            {
                await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = q.Name, Attributes = attributes, Tags = tags }, context, cancellationToken).ConfigureAwait(false);
            }
            catch (SqsException e) when (e.Error == SqsErrors.QueueNameExistsShape)
            {
                // The queue exists with other attributes: the declaration is the desired state.
                var url = (await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = q.Name }, context, cancellationToken).ConfigureAwait(false)).QueueUrl;
                attributes.Remove("FifoQueue");
                await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = url, Attributes = attributes }, context, cancellationToken).ConfigureAwait(false);
                if (tags.Count > 0)
                {
                    await sqs.TagQueueAsync(new TagQueueRequest { QueueUrl = url, Tags = tags }, context, cancellationToken).ConfigureAwait(false);
                }

                logger.LogInformation("Declared queue {Queue} existed with other attributes; set them as declared", q.Name);
            }
        }
        catch (SqsException e)
        {
            throw new QueueDeclarationException(q.Name, e.Message);
        }
    }
}
