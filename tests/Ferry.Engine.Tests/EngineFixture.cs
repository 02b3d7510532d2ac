using System.Text;
using Ferry.Engine.Queues;
using Ferry.Storage;

namespace Ferry.Engine.Tests;

/// <summary>A broker over a journal in a temporary directory, on a manual clock, that can be restarted.</summary>
internal sealed class EngineFixture : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ferry-engine-" + Guid.NewGuid().ToString("N"));
    private Journal? _journal;

    public ManualTimeProvider Clock { get; } = new();

    public Broker Broker { get; private set; } = null!;

    private BrokerOptions _options = new();

    private bool _maintenance;

    /// <summary>The journal's directory.</summary>
    public string Directory => _directory;

    /// <param name="options">The broker's options.</param>
    /// <param name="maintenance">Whether the broker's maintenance loop runs (on <see cref="Clock"/>); tests call
    /// <see cref="Broker.MaintainOnceAsync"/> themselves otherwise.</param>
    public static async Task<EngineFixture> StartAsync(BrokerOptions? options = null, bool maintenance = false)
    {
        var f = new EngineFixture { _options = options ?? new BrokerOptions(), _maintenance = maintenance };
        await f.OpenAsync();
        return f;
    }

    private async Task OpenAsync()
    {
        _journal = await Journal.OpenAsync(new JournalOptions { Directory = _directory, SegmentSize = 1 << 20 });
        Broker = Broker.Open(_journal, _options, Clock, startMaintenance: _maintenance);
    }

    /// <summary>Closes and reopens everything on the same directory, as a restart after a crash would: the journal
    /// holds only what was acknowledged, since every acknowledgement waited for fsync.</summary>
    public async Task RestartAsync()
    {
        await Broker.DisposeAsync();
        await _journal!.DisposeAsync();
        await OpenAsync();
    }

    public static SendRequest Message(string body, int priority = 0, string? group = null, string? dedup = null, int? delay = null,
        IReadOnlyList<MessageAttribute>? attributes = null) => new()
    {
        Body = body,
        Priority = priority,
        GroupId = group,
        DeduplicationId = dedup,
        DelaySeconds = delay,
        Attributes = attributes,
        BodyDigest = System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(body)),
    };

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        await _journal!.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
