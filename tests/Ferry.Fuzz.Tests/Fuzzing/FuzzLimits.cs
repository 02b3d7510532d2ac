namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>What one input may cost before it counts as a defect.</summary>
/// <param name="Timeout">Wall time for one input, generous for a loaded two-core machine: a hang or a super-linear
/// path blows through it, a garbage collection does not.</param>
/// <param name="AllocationBase">Bytes any input may allocate (request plumbing, a response, lazily built tables).</param>
/// <param name="AllocationPerByte">Bytes more per byte of input and output: parsing copies and decodes, answering
/// serialises, neither may amplify.</param>
internal sealed record FuzzLimits(TimeSpan Timeout, long AllocationBase, long AllocationPerByte)
{
    /// <summary>An HTTP request through the whole ASP.NET Core pipeline into the engine.</summary>
    public static FuzzLimits Http { get; } = new(TimeSpan.FromSeconds(5), 8 << 20, 48);

    /// <summary>A RESP connection over in-memory pipes: its replies count as its output.</summary>
    public static FuzzLimits Connection { get; } = new(TimeSpan.FromSeconds(5), 8 << 20, 48);

    /// <summary>A parser called directly.</summary>
    public static FuzzLimits Parser { get; } = new(TimeSpan.FromSeconds(2), 1 << 20, 32);

    public long AllocationBound(long bytes) => AllocationBase + (AllocationPerByte * bytes);
}
