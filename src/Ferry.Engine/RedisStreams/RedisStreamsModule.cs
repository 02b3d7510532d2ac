using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>Plugs <see cref="RedisStreams"/> into the broker's recovery, checkpoints and compaction.</summary>
internal sealed class RedisStreamsModule(Broker broker) : BrokerModule(broker)
{
    public RedisStreams Streams { get; } = new(broker);

    /// <inheritdoc/>
    public override string Name => "redis-streams";

    /// <inheritdoc/>
    public override bool Owns(ushort recordType) => recordType is >= 60 and <= 89;

    /// <inheritdoc/>
    public override void Replay(in JournalRecord record) => Streams.Replay(record);

    /// <inheritdoc/>
    public override void WriteSnapshot(PayloadWriter writer) => Streams.WriteSnapshot(writer);

    /// <inheritdoc/>
    public override Action<PayloadWriter> CaptureSnapshot() => Streams.CaptureSnapshot();

    /// <inheritdoc/>
    public override void ReadSnapshot(ref PayloadReader reader) => Streams.ReadSnapshot(ref reader);

    /// <inheritdoc/>
    public override bool IsLive(in JournalRecord record) => Streams.IsLive(record);

    /// <inheritdoc/>
    public override bool TryRelocate(in JournalRecord record, RecordRef newRef) => Streams.TryRelocate(record, newRef);

    /// <inheritdoc/>
    public override Task MaintainAsync(CancellationToken cancellationToken)
    {
        Streams.SweepExpired();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask StopAsync()
    {
        Streams.ReleaseWaiters();
        return ValueTask.CompletedTask;
    }
}
