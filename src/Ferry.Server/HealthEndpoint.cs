using System.Text.Json.Serialization;

namespace Ferry.Server;

/// <summary><c>GET /health</c>: 200 with a small JSON body while the server is up (<c>diskFull</c> while writes are refused),
/// with the journal's counters (appends per sync show how much each fdatasync's group commit carries) and failed maintenance
/// rounds.</summary>
internal static class HealthEndpoint
{
    public const string Path = "/health";

    public static Task HandleAsync(HttpContext context)
    {
        var app = context.RequestServices.GetRequiredService<FerryClock>();
        var settings = context.RequestServices.GetRequiredService<FerrySettings>();
        var gc = GC.GetGCMemoryInfo();
        var journal = context.RequestServices.GetRequiredService<JournalService>().Journal;
        var stats = journal.GetStats();
        var broker = context.RequestServices.GetRequiredService<BrokerService>().Broker;
        var body = new HealthResponse("ok", settings.Durability.ToString(), (long)app.Uptime.TotalSeconds, journal.IsFull,
            new HealthMemory(Environment.WorkingSet, gc.HeapSizeBytes, gc.TotalCommittedBytes, GC.GetTotalAllocatedBytes(),
                (long)GC.GetTotalPauseDuration().TotalMilliseconds, [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)]),
            new HealthJournal(stats.Segments, stats.Tail, stats.LiveBytes, stats.Appends, stats.Batches, stats.Syncs),
            new HealthMaintenance(broker.MaintenanceFailures, broker.LastMaintenanceFailure));
        return context.Response.WriteAsJsonAsync(body, HealthJsonContext.Default.HealthResponse, cancellationToken: context.RequestAborted);
    }
}

/// <summary>The body of <c>GET /health</c>.</summary>
internal sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("durability")] string Durability,
    [property: JsonPropertyName("uptimeSeconds")] long UptimeSeconds,
    [property: JsonPropertyName("diskFull")] bool DiskFull,
    [property: JsonPropertyName("memory")] HealthMemory Memory,
    [property: JsonPropertyName("journal")] HealthJournal Journal,
    [property: JsonPropertyName("maintenance")] HealthMaintenance Maintenance);

/// <summary>The broker's maintenance loop (checkpoints, compaction, retention): rounds that failed since start, each retried
/// at the next interval, and the last failure's exception type and message.</summary>
internal sealed record HealthMaintenance(
    [property: JsonPropertyName("failures")] long Failures,
    [property: JsonPropertyName("lastFailure")] string? LastFailure);

/// <summary>Where the process's memory is: resident in all, and the managed heap (live after the last GC, committed); since
/// start, the bytes allocated, the time paused for collections, and the collections of generations 0, 1 and 2.</summary>
internal sealed record HealthMemory(
    [property: JsonPropertyName("residentBytes")] long ResidentBytes,
    [property: JsonPropertyName("gcHeapBytes")] long GcHeapBytes,
    [property: JsonPropertyName("gcCommittedBytes")] long GcCommittedBytes,
    [property: JsonPropertyName("gcAllocatedBytes")] long GcAllocatedBytes,
    [property: JsonPropertyName("gcPauseMilliseconds")] long GcPauseMilliseconds,
    [property: JsonPropertyName("gcCollections")] int[] GcCollections);

/// <summary>The journal since the process started: segment files, the position of its end, the bytes of records still
/// live, and how many records were appended, written in how many batches, made durable by how many fdatasyncs.</summary>
internal sealed record HealthJournal(
    [property: JsonPropertyName("segments")] int Segments,
    [property: JsonPropertyName("positionBytes")] long PositionBytes,
    [property: JsonPropertyName("liveBytes")] long LiveBytes,
    [property: JsonPropertyName("appends")] long Appends,
    [property: JsonPropertyName("batches")] long Batches,
    [property: JsonPropertyName("syncs")] long Syncs);

[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

/// <summary>When this server started, on the host's <see cref="TimeProvider"/>.</summary>
internal sealed class FerryClock(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    public TimeProvider Time => time;

    public TimeSpan Uptime => time.GetElapsedTime(_started);
}
