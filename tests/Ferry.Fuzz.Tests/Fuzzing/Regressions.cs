namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>
/// The inputs that once broke a target, checked in under <c>Regressions/&lt;target&gt;/</c> as the runner saved them:
/// <c>*.bin</c>, one input each, which every run replays first and mutates like seeds; and <c>*.seq</c>, the inputs a
/// stateful target had accepted before the one that failed, one base64 input a line, replayed in order on a fresh
/// server.
/// </summary>
internal static class Regressions
{
    public static IEnumerable<(string Name, byte[] Input)> Load(string target) =>
        Files(target, "*.bin").Select(file => (Path.GetFileName(file), File.ReadAllBytes(file)));

    public static IEnumerable<(string Name, byte[][] Inputs)> LoadSequences(string target) =>
        Files(target, "*.seq").Select(file => (Path.GetFileName(file),
            File.ReadAllLines(file).Where(line => line.Length > 0).Select(Convert.FromBase64String).ToArray()));

    /// <summary>Writes a sequence next to the failing input it leads to.</summary>
    public static string SaveSequence(string target, IEnumerable<byte[]> inputs)
    {
        var directory = FuzzBudget.FailuresDirectory(target);
        Directory.CreateDirectory(directory);
        var lines = inputs.Select(Convert.ToBase64String).ToArray();
        var path = Path.Combine(directory, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.ASCII.GetBytes(string.Join("\n", lines))))[..16] + ".seq");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static IEnumerable<string> Files(string target, string pattern)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Regressions", target);
        return Directory.Exists(directory) ? Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal) : [];
    }
}
