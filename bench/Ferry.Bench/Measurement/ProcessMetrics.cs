using System.Diagnostics;
using System.Globalization;

namespace Ferry.Bench.Measurement;

/// <summary>CPU time and peak resident memory of a process, as Linux reports them.</summary>
internal static class ProcessMetrics
{
    /// <summary>Total user + system CPU time consumed so far by the process.</summary>
    public static TimeSpan CpuTime(int processId)
    {
        using Process process = Process.GetProcessById(processId);
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// The high-water mark of the resident set (<c>VmHWM</c> in <c>/proc/&lt;pid&gt;/status</c>) in bytes,
    /// or null where /proc is not available.
    /// </summary>
    public static long? PeakResidentBytes(int processId) => StatusKilobytes(processId, "VmHWM:") * 1024;

    /// <summary>The current resident set (<c>VmRSS</c> in <c>/proc/&lt;pid&gt;/status</c>) in bytes, or null where /proc is not available.</summary>
    public static long? ResidentBytes(int processId) => StatusKilobytes(processId, "VmRSS:") * 1024;

    private static long? StatusKilobytes(int processId, string field)
    {
        string path = $"/proc/{processId}/status";
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // Format: "VmHWM:     12345 kB"
                ReadOnlySpan<char> value = line.AsSpan(field.Length).Trim();
                int space = value.IndexOf(' ');
                if (space > 0 && long.TryParse(value[..space], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib))
                {
                    return kib;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Resets the peak-RSS mark to the current RSS (writing 5 to <c>/proc/&lt;pid&gt;/clear_refs</c>, Linux 4.0+),
    /// so that several measurements in one process each get their own peak. Returns false if not permitted.
    /// </summary>
    public static bool TryResetPeakResident(int processId)
    {
        try
        {
            File.WriteAllText($"/proc/{processId}/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>CPU seconds and peak RSS of one process over one measured interval.</summary>
internal sealed class ProcessSampler
{
    private readonly int _processId;
    private TimeSpan _cpuAtStart;

    public ProcessSampler(int processId) => _processId = processId;

    public static ProcessSampler Self() => new(Environment.ProcessId);

    /// <summary>Whether the peak could be reset, i.e. whether <see cref="Stop"/> reports this interval's peak only.</summary>
    public bool PeakIsPerInterval { get; private set; }

    public void Start(bool resetPeak)
    {
        PeakIsPerInterval = resetPeak && ProcessMetrics.TryResetPeakResident(_processId);
        _cpuAtStart = ProcessMetrics.CpuTime(_processId);
    }

    public (double CpuSeconds, long? PeakResidentBytes) Stop()
    {
        TimeSpan cpu = ProcessMetrics.CpuTime(_processId) - _cpuAtStart;
        return (cpu.TotalSeconds, ProcessMetrics.PeakResidentBytes(_processId));
    }
}
