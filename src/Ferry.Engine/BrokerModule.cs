using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine;

/// <summary>
/// A part of the engine that keeps its own resources in the journal (streams, Redis streams, ...), plugged into the
/// broker's recovery, checkpoints, compaction and maintenance.
/// </summary>
/// <remarks>
/// <para>A module owns a range of record types (<see cref="Owns"/>); the ranges are persisted and never overlap:
/// queues 1–29, Kinesis streams 30–59, Redis 60–89, topics 90–119.</para>
/// <para>The same rules as for queues hold: append inside the critical section that changes the state the record
/// describes, holding <see cref="Broker.EnterWrite"/> across that section (never across an await); release a record
/// as soon as nothing needs it for reading (state changes are needed only until the next checkpoint, which the
/// journal guarantees by itself); release exactly once, also during <see cref="Replay"/>.</para>
/// </remarks>
internal abstract class BrokerModule(Broker broker)
{
    protected Broker Broker { get; } = broker;

    protected Journal Journal => Broker.Journal;

    /// <summary>The module's name in checkpoint snapshots. Persisted: never rename.</summary>
    public abstract string Name { get; }

    /// <summary>Whether a record type belongs to this module.</summary>
    public abstract bool Owns(ushort recordType);

    /// <summary>Applies one of the module's records after the checkpoint; releases it unless the module keeps it.</summary>
    public abstract void Replay(in JournalRecord record);

    /// <summary>Writes the module's whole state; called while every write is held off.</summary>
    public abstract void WriteSnapshot(PayloadWriter writer);

    /// <summary>
    /// Captures the module's state for a checkpoint while every write is held off, and returns what writes it — as
    /// <see cref="WriteSnapshot"/> would have at the capture — after writes resume. By default the state is written
    /// at once; a module whose state is large captures only what may still change and writes the rest later, so that
    /// writers are not held off for the time it takes to serialize it.
    /// </summary>
    public virtual Action<PayloadWriter> CaptureSnapshot()
    {
        var captured = new PayloadWriter();
        WriteSnapshot(captured);
        return writer =>
        {
            writer.Raw(captured.WrittenSpan);
            captured.Dispose();
        };
    }

    /// <summary>Restores what <see cref="WriteSnapshot"/> wrote, before replay.</summary>
    public abstract void ReadSnapshot(ref PayloadReader reader);

    /// <summary>After snapshot and replay: rebuild derived state (indexes, timers).</summary>
    public virtual void FinishRecovery()
    {
    }

    /// <summary>Compaction asks whether the module still reads <paramref name="record"/>.</summary>
    public virtual bool IsLive(in JournalRecord record) => false;

    /// <summary>Compaction copied <paramref name="record"/>; swap the reference and return true if still live.</summary>
    public virtual bool TryRelocate(in JournalRecord record, RecordRef newRef) => false;

    /// <summary>Periodic work (retention, expiry); runs on the maintenance loop.</summary>
    public virtual Task MaintainAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops background work at shutdown.</summary>
    public virtual ValueTask StopAsync() => ValueTask.CompletedTask;
}
