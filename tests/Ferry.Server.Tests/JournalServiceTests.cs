using System.Net;
using Ferry.Storage;

namespace Ferry.Server.Tests;

public sealed class JournalServiceTests
{
    [Fact]
    public void OnFatal_LogsOneCriticalLineThenFailsFastOnce()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = new LoggerFactory([logs]);
        var failures = new List<string>();
        var settings = new FerrySettings(IPAddress.Loopback, 0, new Durability(DurabilityMode.Memory, 0), null, "us-east-1", "000000000000");
        var service = new JournalService(settings, factory, [logs], failures.Add);

        service.OnFatal(new IOException("fsync failed: EIO"));
        service.OnFatal(new IOException("again"));

        var critical = Assert.Single(logs.Entries, e => e.Level == LogLevel.Critical);
        Assert.Contains("fsync failed: EIO", critical.Message, StringComparison.Ordinal);
        var failure = Assert.Single(failures);
        Assert.Contains("fsync failed: EIO", failure, StringComparison.Ordinal);
        Assert.True(logs.Disposed);
    }

    [Fact]
    public void Journal_BeforeOpen_Throws()
    {
        var settings = new FerrySettings(IPAddress.Loopback, 0, new Durability(DurabilityMode.Memory, 0), null, "us-east-1", "000000000000");
        using var factory = new LoggerFactory();
        var service = new JournalService(settings, factory, []);

        Assert.Throws<InvalidOperationException>(() => service.Journal);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public bool Disposed { get; private set; }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() => Disposed = true;

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries)
                {
                    owner.Entries.Add((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
