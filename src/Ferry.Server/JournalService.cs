using Ferry.Storage;

namespace Ferry.Server;

/// <summary>
/// Owns Ferry's journal for the life of the process; engine services take the open <see cref="Journal"/> from
/// here through dependency injection.
/// </summary>
/// <remarks>
/// <see cref="FerryApp"/> opens it before Kestrel starts listening and closes it after Kestrel has drained, so
/// that no request ever sees the journal closed. A fatal storage error (a failed fsync) means acknowledged
/// writes may not be on disk: the process logs one critical line and fails fast rather than carry on.
/// </remarks>
internal sealed class JournalService : IAsyncDisposable
{
    private readonly FerrySettings _settings;
    private readonly ILogger _logger;
    private readonly IEnumerable<ILoggerProvider> _loggerProviders;
    private readonly Action<string> _failFast;
    private Journal? _journal;
    private int _fatal;

    public JournalService(FerrySettings settings, ILoggerFactory loggerFactory, IEnumerable<ILoggerProvider> loggerProviders)
        : this(settings, loggerFactory, loggerProviders, Environment.FailFast)
    {
    }

    internal JournalService(FerrySettings settings, ILoggerFactory loggerFactory, IEnumerable<ILoggerProvider> loggerProviders, Action<string> failFast)
    {
        _settings = settings;
        _logger = loggerFactory.CreateLogger("Ferry.Journal");
        _loggerProviders = loggerProviders;
        _failFast = failFast;
    }

    /// <summary>The open journal.</summary>
    /// <exception cref="InvalidOperationException">The journal is not open (before start-up or after shutdown).</exception>
    public Journal Journal => _journal ?? throw new InvalidOperationException("Ferry's journal is not open.");

    /// <summary>Opens (and recovers) the journal in the data directory's <c>journal</c> folder.</summary>
    /// <exception cref="JournalException">The journal is damaged beyond what recovery may repair.</exception>
    /// <exception cref="IOException">The data directory cannot be created or read.</exception>
    /// <exception cref="UnauthorizedAccessException">The data directory is not accessible.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_journal is not null)
        {
            throw new InvalidOperationException("Ferry's journal is already open.");
        }

        if (_settings.JournalDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        _journal = await Journal.OpenAsync(
            new JournalOptions
            {
                // Ignored in memory mode, where there is no directory.
                Directory = _settings.JournalDirectory ?? string.Empty,
                Durability = _settings.Durability,
                OnFatal = OnFatal,
            },
            cancellationToken);
    }

    /// <summary>Flushes and closes the journal. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        var journal = Interlocked.Exchange(ref _journal, null);
        if (journal is not null)
        {
            await journal.DisposeAsync();
        }
    }

    internal void OnFatal(Exception error)
    {
        if (Interlocked.Exchange(ref _fatal, 1) != 0)
        {
            return;
        }

        var message = $"Ferry is stopping: the journal can no longer guarantee durability: {error.Message}";
        _logger.LogCritical("{Message}", message);
        // The console logger writes from a queue; disposing it drains the queue so the line is not lost.
        foreach (var provider in _loggerProviders)
        {
            provider.Dispose();
        }

        _failFast(message);
    }
}
