using System.Diagnostics;
using System.Numerics;

namespace Ferry.Bench.Measurement;

/// <summary>
/// A log-linear latency histogram in the manner of HdrHistogram: exact below 256 ns, then 128 linear
/// sub-buckets per power of two, so every recorded value is kept to within 1/128 (0.8 %) of itself.
/// </summary>
/// <remarks>
/// Not thread-safe by design: each worker owns one and the owners are merged with <see cref="Add"/> after
/// the run, so the hot path is an index computation and an increment, with no lock, no interlocked
/// operation and no allocation.
/// </remarks>
internal sealed class LatencyHistogram
{
    // 7 bits of sub-bucket resolution = 128 buckets per octave: a worst-case relative error of 1/128,
    // i.e. a little over two significant digits, which is finer than run-to-run noise of any benchmark here.
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;

    // Values below 2 * SubBucketCount are counted exactly, one bucket each.
    private const int LinearLimit = SubBucketCount * 2;

    // 2^42 ns is about 73 minutes: longer than any single operation a benchmark should ever wait for.
    // Larger values are clamped into the last bucket (the exact maximum is still tracked separately).
    private const int MaxValueBits = 42;

    private const int BucketCount = LinearLimit + ((MaxValueBits - SubBucketBits - 1) * SubBucketCount);

    private const long MaxTrackableValue = (1L << MaxValueBits) - 1;

    private static readonly bool s_ticksAreNanoseconds = Stopwatch.Frequency == 1_000_000_000;
    private static readonly double s_nanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly long[] _counts = new long[BucketCount];

    public long TotalCount { get; private set; }

    /// <summary>Smallest recorded value in nanoseconds, or 0 when empty.</summary>
    public long Min => TotalCount == 0 ? 0 : _min;

    /// <summary>Largest recorded value in nanoseconds (exact, never bucketed).</summary>
    public long Max { get; private set; }

    private long _min = long.MaxValue;

    /// <summary>Records an elapsed interval measured with <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public void RecordTicks(long stopwatchTicks)
    {
        long nanoseconds = s_ticksAreNanoseconds ? stopwatchTicks : (long)(stopwatchTicks * s_nanosecondsPerTick);
        Record(nanoseconds);
    }

    /// <summary>Records a value in nanoseconds; negative values count as 0.</summary>
    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[IndexOf(Math.Min(nanoseconds, MaxTrackableValue))]++;
        TotalCount++;
        if (nanoseconds > Max)
        {
            Max = nanoseconds;
        }

        if (nanoseconds < _min)
        {
            _min = nanoseconds;
        }
    }

    /// <summary>Adds every count of <paramref name="other"/> into this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        long[] source = other._counts;
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += source[i];
        }

        TotalCount += other.TotalCount;
        Max = Math.Max(Max, other.Max);
        _min = Math.Min(_min, other._min);
    }

    public void Reset()
    {
        Array.Clear(_counts);
        TotalCount = 0;
        Max = 0;
        _min = long.MaxValue;
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of recordings fall, reported as the
    /// highest value equivalent to its bucket (as HdrHistogram does), clamped to the recorded min and max.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (TotalCount == 0)
        {
            return 0;
        }

        double clamped = Math.Clamp(percentile, 0, 100);
        long rank = Math.Max(1, (long)Math.Ceiling(clamped / 100 * TotalCount));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                // In the highest occupied bucket the exact maximum is the better answer (and the only right
                // one for values clamped into the last bucket).
                return seen == TotalCount ? Max : Math.Clamp(HighestEquivalentValue(i), Min, Max);
            }
        }

        return Max;
    }

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        int highestBit = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = highestBit - SubBucketBits;
        int top = (int)(value >> shift); // in [SubBucketCount, 2 * SubBucketCount)
        return LinearLimit + ((shift - 1) * SubBucketCount) + (top - SubBucketCount);
    }

    internal static long LowestEquivalentValue(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        int offset = index - LinearLimit;
        int shift = (offset / SubBucketCount) + 1;
        long top = (offset % SubBucketCount) + SubBucketCount;
        return top << shift;
    }

    internal static long HighestEquivalentValue(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        int shift = ((index - LinearLimit) / SubBucketCount) + 1;
        return LowestEquivalentValue(index) + (1L << shift) - 1;
    }
}
