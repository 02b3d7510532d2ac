using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Ferry.Torture;

/// <summary>What a run counted and every violation it found.</summary>
internal sealed class TortureReport
{
    /// <summary>Violations of one kind beyond this many are counted, not listed.</summary>
    private const int ListedPerKind = 5;

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _violations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _violationCounts = new(StringComparer.Ordinal);

    public int KillsSurvived { get; set; }

    public TimeSpan Elapsed { get; set; }

    public bool Passed => _violationCounts.IsEmpty;

    /// <summary>Adds to a counter such as "sqs-standard: sends acknowledged".</summary>
    public void Count(string counter, long by = 1) => _counts.AddOrUpdate(counter, by, (_, v) => v + by);

    /// <summary>Records a broken promise; <paramref name="kind"/> groups them ("acknowledged send lost").</summary>
    public void Violation(string kind, string detail)
    {
        var count = _violationCounts.AddOrUpdate(kind, 1, (_, v) => v + 1);
        if (count <= ListedPerKind)
        {
            _violations.GetOrAdd(kind, _ => new ConcurrentQueue<string>()).Enqueue(detail);
        }
    }

    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"kills survived: {KillsSurvived}, in {Elapsed.TotalSeconds:F1} s");
        foreach (var (counter, value) in _counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {counter}: {value}");
        }

        if (Passed)
        {
            text.Append("no violations");
            return text.ToString();
        }

        foreach (var (kind, count) in _violationCounts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"VIOLATION ({count}×) {kind}");
            foreach (var detail in _violations.GetValueOrDefault(kind) ?? [])
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {detail}");
            }
        }

        return text.ToString().TrimEnd();
    }
}
