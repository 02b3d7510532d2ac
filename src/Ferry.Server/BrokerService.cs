using Ferry.Engine;

namespace Ferry.Server;

/// <summary>Owns the broker for the life of the process: opened (replaying the journal) after the journal and before
/// Kestrel listens, disposed after Kestrel drained and before the journal closes.</summary>
internal sealed partial class BrokerService(JournalService journal, FerrySettings settings, TimeProvider time, ILogger<BrokerService> logger) : IAsyncDisposable
{
    private Broker? _broker;

    /// <exception cref="InvalidOperationException">Ferry has not started.</exception>
    public Broker Broker => _broker ?? throw new InvalidOperationException("Ferry's broker is not open.");

    /// <summary>The same as <see cref="Broker"/>, as a method for the faces' <c>Func&lt;Broker&gt;</c>.</summary>
    public Broker GetBroker() => Broker;

    public void Open()
    {
        var defaults = new BrokerOptions();
        _broker = Broker.Open(journal.Journal, new BrokerOptions
        {
            Region = settings.Region,
            AccountId = settings.AccountId,
            EnforceShardLimits = settings.EnforceKinesisShardLimits,
            CheckpointInterval = settings.CheckpointInterval,
            // Maintenance must run at least as often as checkpoints fall due.
            MaintenanceInterval = settings.CheckpointInterval < defaults.MaintenanceInterval ? settings.CheckpointInterval : defaults.MaintenanceInterval,
            MaintenanceFailed = e => LogMaintenanceFailed(logger, e),
        }, time);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance (checkpoint, compaction, retention) failed; it is retried at the next interval.")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
            _broker = null;
        }
    }
}
