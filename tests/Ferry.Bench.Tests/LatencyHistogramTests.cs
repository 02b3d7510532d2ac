using Ferry.Bench.Measurement;

namespace Ferry.Bench.Tests;

public sealed class LatencyHistogramTests
{
    private static readonly double[] s_percentiles = [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100];

    // Log-uniform from 1 ns to ~10 s: every octave equally represented, as latencies of real runs are.
    private static long[] RandomLatencies(int seed, int count)
    {
        var random = new Random(seed);
        var values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (long)Math.Pow(2, random.NextDouble() * 33);
        }

        return values;
    }

    private static long Oracle(long[] sorted, double percentile)
    {
        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * sorted.Length));
        return sorted[rank - 1];
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 10)]
    [InlineData(3, 1_000)]
    [InlineData(4, 200_000)]
    public void ValueAtPercentile_MatchesSortedArrayOracle_WithinBucketPrecision(int seed, int count)
    {
        long[] values = RandomLatencies(seed, count);
        var histogram = new LatencyHistogram();
        foreach (long value in values)
        {
            histogram.Record(value);
        }

        Array.Sort(values);
        Assert.Equal(count, histogram.TotalCount);
        Assert.Equal(values[0], histogram.Min);
        Assert.Equal(values[^1], histogram.Max);
        foreach (double percentile in s_percentiles)
        {
            long expected = Oracle(values, percentile);
            long actual = histogram.ValueAtPercentile(percentile);
            // Reported as the highest value of the oracle's bucket: never below it, at most 1/128 above.
            Assert.InRange(actual, expected, expected + (expected / 128) + 1);
        }
    }

    [Fact]
    public void Add_OfPerWorkerHistograms_EqualsOneHistogramOfEverything()
    {
        long[] values = RandomLatencies(7, 50_000);
        var single = new LatencyHistogram();
        var parts = new[] { new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram() };
        for (int i = 0; i < values.Length; i++)
        {
            single.Record(values[i]);
            parts[i % 3 == 0 ? 0 : (values[i] % 3) + 1].Record(values[i]); // uneven split, one part gets a third
        }

        var merged = new LatencyHistogram();
        foreach (LatencyHistogram part in parts)
        {
            merged.Add(part);
        }

        Assert.Equal(single.TotalCount, merged.TotalCount);
        Assert.Equal(single.Min, merged.Min);
        Assert.Equal(single.Max, merged.Max);
        for (double percentile = 0; percentile <= 100; percentile += 0.5)
        {
            Assert.Equal(single.ValueAtPercentile(percentile), merged.ValueAtPercentile(percentile));
        }
    }

    [Fact]
    public void Add_OfEmptyHistogram_ChangesNothing()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(500);
        histogram.Add(new LatencyHistogram());
        Assert.Equal(1, histogram.TotalCount);
        Assert.Equal(500, histogram.Min);
        Assert.Equal(500, histogram.ValueAtPercentile(50));
    }

    [Fact]
    public void Buckets_CoverEveryValue_WithRelativeWidthAtMostOne128th()
    {
        var random = new Random(11);
        for (int i = 0; i < 100_000; i++)
        {
            long value = i < 1000 ? i : (long)Math.Pow(2, random.NextDouble() * 41);
            int index = LatencyHistogram.IndexOf(value);
            long low = LatencyHistogram.LowestEquivalentValue(index);
            long high = LatencyHistogram.HighestEquivalentValue(index);
            Assert.InRange(value, low, high);
            Assert.True(high - low <= low / 128, $"bucket [{low}, {high}] of {value} is too wide");
        }
    }

    [Fact]
    public void Record_HugeAndNegativeValues_AreClampedNotLost()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(long.MaxValue);
        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(long.MaxValue, histogram.Max);
        Assert.Equal(long.MaxValue, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Record_DoesNotAllocate()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1); // first call JIT-compiles
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            histogram.Record(i * 1_000L);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
