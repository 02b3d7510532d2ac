using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.Topics;

/// <summary>Plugs <see cref="Topics"/> into the broker's recovery, checkpoints and compaction.</summary>
internal sealed class TopicsModule(Broker broker) : BrokerModule(broker)
{
    public Topics Topics { get; } = new(broker);

    /// <inheritdoc/>
    public override string Name => "topics";

    /// <inheritdoc/>
    public override bool Owns(ushort recordType) => recordType is >= 90 and <= 119;

    /// <inheritdoc/>
    public override void Replay(in JournalRecord record) => Topics.Replay(record);

    /// <inheritdoc/>
    public override void WriteSnapshot(PayloadWriter writer) => Topics.WriteSnapshot(writer);

    /// <inheritdoc/>
    public override void ReadSnapshot(ref PayloadReader reader) => Topics.ReadSnapshot(ref reader);

    /// <inheritdoc/>
    public override void FinishRecovery() => Topics.FinishRecovery();

    /// <inheritdoc/>
    public override bool IsLive(in JournalRecord record) => Topics.IsLive(record);

    /// <inheritdoc/>
    public override bool TryRelocate(in JournalRecord record, RecordRef newRef) => Topics.TryRelocate(record, newRef);
}
