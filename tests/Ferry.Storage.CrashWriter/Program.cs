// Appends records to a journal as fast as it can and prints "ack <position> <length> <id>" for each record the
// journal acknowledged, until it is killed. The crash test reads these lines and checks them after recovery.
using System.Buffers.Binary;
using System.Globalization;
using System.Threading.Channels;
using Ferry.Storage;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Ferry.Storage.CrashWriter <directory> <durability> <first-id>");
    return 2;
}

var journal = await Journal.OpenAsync(new JournalOptions
{
    Directory = args[0],
    Durability = Durability.Parse(args[1]),
    SegmentSize = 256 * 1024,
});
var firstId = long.Parse(args[2], CultureInfo.InvariantCulture);
// Bounded, so that a reader that stops reading slows the appenders instead of growing memory.
var acks = Channel.CreateBounded<string>(new BoundedChannelOptions(100_000) { SingleReader = true });
var nextId = firstId;

var printer = Task.Run(async () =>
{
    var stdout = Console.OpenStandardOutput();
    await using var writer = new StreamWriter(stdout) { AutoFlush = false };
    await writer.WriteLineAsync("ready");
    await writer.FlushAsync();
    while (await acks.Reader.WaitToReadAsync())
    {
        while (acks.Reader.TryRead(out var line))
        {
            await writer.WriteLineAsync(line);
        }

        await writer.FlushAsync();
    }
});

var appenders = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
{
    while (true)
    {
        var id = Interlocked.Increment(ref nextId);
        var payload = Payload(id);
        var r = await journal.AppendAsync(1, (ulong)id, payload);
        await acks.Writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"ack {r.Position} {r.Length} {id}"));
    }
})).ToArray();

await Task.WhenAll(appenders);
await printer;
return 0;

static byte[] Payload(long id)
{
    var length = 8 + (int)(id * 7919 % 3000);
    var bytes = new byte[length];
    new Random((int)id).NextBytes(bytes);
    BinaryPrimitives.WriteInt64LittleEndian(bytes, id);
    return bytes;
}
