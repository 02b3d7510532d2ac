using System.Globalization;
using Ferry.Bench.Sns;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// The queues a topic fans out to in <c>sns-fanout</c>: one slot per subscription, each slot a queue subscribed with its
/// attributes. Nothing consumes them; deliveries are counted with GetQueueAttributes. To keep the server's memory and
/// disk bounded, a slot whose queue has reached <c>rotateAt</c> messages is given a fresh queue and subscription, and
/// the old subscription is removed; the old queue is counted a last time and deleted at the next check, when no
/// publish that chose the old subscription can still be delivering to it. (Purging instead is not possible: SQS, and
/// Ferry with it, allow one PurgeQueue per queue every 60 seconds; a deleted queue's name cannot be reused for 60
/// seconds either, so each generation has a new name.)
/// </summary>
/// <remarks>
/// One caller at a time: the clients are this object's alone. Queues are counted concurrently, one connection per
/// slot, so that a slow server (moto answers a call in seconds under load) takes one call's time for a count, not ten.
/// </remarks>
internal sealed class FanoutQueues
{
    private readonly SqsClient _sqs;
    private readonly SqsClient[] _counters;
    private readonly SnsClient _sns;
    private readonly SnsTopic _topic;
    private readonly string _prefix;
    private readonly Slot[] _slots;
    private readonly List<SqsQueue> _retired = [];
    private long _deletedMessages;

    private FanoutQueues(SqsClient sqs, SqsClient[] counters, SnsClient sns, SnsTopic topic, string prefix, Slot[] slots)
    {
        _sqs = sqs;
        _counters = counters;
        _sns = sns;
        _topic = topic;
        _prefix = prefix;
        _slots = slots;
    }

    /// <summary>How many times a slot was given a fresh queue.</summary>
    public int Rotations { get; private set; }

    /// <summary>
    /// Creates one queue per element of <paramref name="subscriptions"/> and subscribes it with those attributes;
    /// <paramref name="counters"/> (at least one) count the queues side by side.
    /// </summary>
    public static async Task<FanoutQueues> CreateAsync(
        SqsClient sqs, SqsClient[] counters, SnsClient sns, SnsTopic topic, string prefix, IReadOnlyList<KeyValuePair<string, string>[]> subscriptions,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(counters.Length);
        var slots = new Slot[subscriptions.Count];
        var queues = new FanoutQueues(sqs, counters, sns, topic, prefix, slots);
        for (int i = 0; i < slots.Length; i++)
        {
            slots[i] = new Slot(i, subscriptions[i]);
            await queues.SubscribeFreshQueueAsync(slots[i], cancellationToken);
        }

        return queues;
    }

    /// <summary>Every message delivered to the slots' queues so far: those deleted with their queues plus those still held.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        _deletedMessages + (await CountEachAsync([.. _slots.Select(s => s.Queue!), .. _retired], cancellationToken)).Sum();

    /// <summary>Deletes the queues retired at the previous call (counted first), then rotates every slot holding <paramref name="rotateAt"/> or more.</summary>
    public async Task MaintainAsync(long rotateAt, CancellationToken cancellationToken)
    {
        _deletedMessages += (await CountEachAsync(_retired, cancellationToken)).Sum();
        foreach (SqsQueue queue in _retired)
        {
            await _sqs.DeleteQueueAsync(queue, cancellationToken);
        }

        _retired.Clear();
        long[] counts = await CountEachAsync([.. _slots.Select(s => s.Queue!)], cancellationToken);
        for (int i = 0; i < _slots.Length; i++)
        {
            if (counts[i] < rotateAt)
            {
                continue;
            }

            Slot slot = _slots[i];
            SqsQueue old = slot.Queue!;
            string oldSubscription = slot.SubscriptionArn!;
            await SubscribeFreshQueueAsync(slot, cancellationToken);
            await _sns.UnsubscribeAsync(oldSubscription, cancellationToken);
            _retired.Add(old);
            Rotations++;
        }
    }

    private async Task SubscribeFreshQueueAsync(Slot slot, CancellationToken cancellationToken)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{slot.Index}-g{slot.Generation++}");
        SqsQueue queue = await _sqs.CreateQueueAsync(name, cancellationToken);
        string arn = await _sqs.QueueArnAsync(queue, cancellationToken);
        slot.SubscriptionArn = await _sns.SubscribeQueueAsync(_topic, arn, slot.Attributes, cancellationToken);
        slot.Queue = queue;
    }

    /// <summary>The messages each queue holds, counted over the counting connections side by side (each connection one call at a time).</summary>
    private async Task<long[]> CountEachAsync(List<SqsQueue> queues, CancellationToken cancellationToken)
    {
        long[] counts = new long[queues.Count];
        var connections = new Task[Math.Min(_counters.Length, queues.Count)];
        for (int c = 0; c < connections.Length; c++)
        {
            SqsClient client = _counters[c];
            int first = c;
            connections[c] = Task.Run(
                async () =>
                {
                    for (int i = first; i < queues.Count; i += _counters.Length)
                    {
                        (long visible, long notVisible) = await client.CountMessagesAsync(queues[i], cancellationToken);
                        counts[i] = visible + notVisible;
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(connections);
        return counts;
    }

    private sealed class Slot(int index, KeyValuePair<string, string>[] attributes)
    {
        public int Index { get; } = index;

        public KeyValuePair<string, string>[] Attributes { get; } = attributes;

        public int Generation { get; set; }

        public SqsQueue? Queue { get; set; }

        public string? SubscriptionArn { get; set; }
    }
}
