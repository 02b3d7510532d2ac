namespace Ferry.Storage.Tests;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ferry-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string[] Segments() => [.. Directory.GetFiles(Path, "*.seg").Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestData
{
    /// <summary>A payload whose bytes derive from its index, so a read-back proves which record it is.</summary>
    public static byte[] Payload(int index, int length)
    {
        var bytes = new byte[length];
        var rng = new Random(index);
        rng.NextBytes(bytes);
        return bytes;
    }
}
