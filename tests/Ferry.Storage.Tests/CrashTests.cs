using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace Ferry.Storage.Tests;

/// <summary>Kills a real process that is appending (SIGKILL, no chance to flush) and checks that every record it was
/// told is durable survives recovery, byte for byte, and that nothing unacknowledged corrupts the journal.</summary>
public class CrashTests
{
    private static string WriterPath =>
        Path.Combine(AppContext.BaseDirectory.Replace("Ferry.Storage.Tests", "Ferry.Storage.CrashWriter", StringComparison.Ordinal),
            "Ferry.Storage.CrashWriter.dll");

    [Fact]
    public async Task Journal_KilledWhileAppending_KeepsEveryAcknowledgedRecord()
    {
        Assert.True(File.Exists(WriterPath), $"crash writer not built at {WriterPath}");
        using var dir = new TempDirectory();
        var acknowledged = new List<(long Position, int Length, long Id)>();
        var rng = new Random(20261121);

        for (var round = 0; round < 4; round++)
        {
            var acksBefore = acknowledged.Count;
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(WriterPath);
            start.ArgumentList.Add(dir.Path);
            start.ArgumentList.Add("fsync");
            start.ArgumentList.Add(((round + 1) * 10_000_000L).ToString(CultureInfo.InvariantCulture));
            using var child = Process.Start(start)!;
            var stderr = child.StandardError.ReadToEndAsync();
            var ready = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (ready != "ready")
            {
                child.Kill();
                Assert.Fail($"writer did not start: {ready} {await stderr}");
            }

            // Read raw text: the kill can cut the last line mid-write, and only a line with its newline is an
            // acknowledgement the child finished printing.
            var output = child.StandardOutput.ReadToEndAsync();

            await Task.Delay(300 + rng.Next(700));
            child.Kill(entireProcessTree: false); // SIGKILL on Unix
            await child.WaitForExitAsync();
            var text = await output;
            var lines = text.Split('\n');
            lines = lines[..^1]; // the part after the last newline: empty, or a line the kill cut short

            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                if (parts.Length == 4 && parts[0] == "ack")
                {
                    acknowledged.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture),
                        long.Parse(parts[3], CultureInfo.InvariantCulture)));
                }
            }

            Assert.True(acknowledged.Count > acksBefore + 100, $"round {round}: only {acknowledged.Count - acksBefore} acknowledgements");

            await using var journal = await Journal.OpenAsync(new JournalOptions { Directory = dir.Path, SegmentSize = 256 * 1024 });
            var replayed = new Dictionary<long, long>();
            foreach (var record in journal.ReadFrom(journal.ReplayPosition))
            {
                var id = BinaryPrimitives.ReadInt64LittleEndian(record.Payload.Span);
                Assert.Equal((ulong)id, record.ResourceId);
                replayed.Add(record.Ref.Position, id);
            }

            foreach (var (position, length, id) in acknowledged)
            {
                Assert.True(replayed.TryGetValue(position, out var seen) && seen == id, $"acknowledged record {id} at {position} is missing");
                var payload = journal.Read(new RecordRef(position, length));
                Assert.Equal(id, BinaryPrimitives.ReadInt64LittleEndian(payload));
            }
        }
    }
}
