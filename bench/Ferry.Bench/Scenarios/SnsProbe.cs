using System.Collections.Concurrent;
using System.Diagnostics;
using Ferry.Bench.Measurement;
using Ferry.Bench.Sns;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// Publish-to-queue latency in <c>sns-fanout</c>: publishers stamp some messages with the start time of their Publish
/// call and register the stamp here before sending; one consumer long-polls the probe queue and records, for each
/// registered stamp it receives, the time from that start to the ReceiveMessage response (one process clock).
/// </summary>
internal sealed class SnsProbe
{
    private readonly ConcurrentDictionary<long, byte> _expected = new();
    private int _sent;
    private long _publishes;

    /// <summary>Receive-response time minus publish start time of every registered probe received.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Probes registered with <see cref="Expect"/>.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Registered probes received (each counted once, duplicates ignored).</summary>
    public int Received { get; private set; }

    /// <summary>Registered probes not received yet.</summary>
    public int Outstanding => _expected.Count;

    /// <summary>Numbers the publishes of all publishers 1, 2, 3, … (which of them are probes is the caller's choice).</summary>
    public long NextPublish() => Interlocked.Increment(ref _publishes);

    /// <summary>Registers a probe about to be published with <paramref name="stamp"/> (its start timestamp) in its body.</summary>
    public void Expect(long stamp)
    {
        if (_expected.TryAdd(stamp, 0))
        {
            Interlocked.Increment(ref _sent);
        }
    }

    /// <summary>
    /// Receives from <paramref name="queue"/> (up to <paramref name="maxMessages"/> per call, long polls of
    /// <paramref name="waitSeconds"/>) and deletes what arrived, until <paramref name="cancellationToken"/> is cancelled.
    /// Each batch is deleted over <paramref name="deleter"/> while <paramref name="client"/> polls for the next, as
    /// consumers that keep up do: a probe's latency is its time to reach a waiting consumer, not the consumer's own
    /// delete round trip.
    /// </summary>
    public async Task ConsumeAsync(SqsClient client, SqsClient deleter, SqsQueue queue, int maxMessages, int waitSeconds, CancellationToken cancellationToken)
    {
        // Two buffers: one being deleted while the other receives.
        ReceivedMessages[] buffers = [new(SnsEnvelope.TryReadStamp), new(SnsEnvelope.TryReadStamp)];
        int current = 0;
        Task deleting = Task.CompletedTask;
        try
        {
            while (true)
            {
                ReceivedMessages received = buffers[current];
                await client.ReceiveMessageAsync(queue, maxMessages, waitSeconds, received, cancellationToken: cancellationToken);
                long now = Stopwatch.GetTimestamp();
                for (int i = 0; i < received.Count; i++)
                {
                    long stamp = received.Stamp(i);
                    if (_expected.TryRemove(stamp, out _))
                    {
                        Latency.RecordTicks(now - stamp);
                        Received++;
                    }
                }

                if (received.Count > 0)
                {
                    // The other buffer's delete must be done before that buffer receives again.
                    await deleting;
                    deleting = deleter.DeleteMessageBatchAsync(queue, received, cancellationToken).AsTask();
                    current ^= 1;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over; the long poll in progress is abandoned with its connection.
        }

        try
        {
            await deleting;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Abandoned with its connection too.
        }
    }
}
