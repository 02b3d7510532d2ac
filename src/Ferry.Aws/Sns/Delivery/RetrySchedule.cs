namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// The delivery attempts a retry policy allows and the delay before each: attempt 1 is the first delivery, made at
/// once; attempt k &gt; 1 is retry k - 1.
/// </summary>
/// <remarks>
/// <para>The retries run through four phases, as AWS describes them:</para>
/// <list type="number">
/// <item><description>Immediate: numNoDelayRetries retries with no delay.</description></item>
/// <item><description>Pre-backoff: numMinDelayRetries retries, each minDelayTarget after the attempt before it.</description></item>
/// <item><description>
/// Backoff: the rest, numRetries - numNoDelayRetries - numMinDelayRetries - numMaxDelayRetries retries, whose
/// delays run from minDelayTarget (the first) to maxDelayTarget (the last) along the backoff function. A single
/// backoff retry waits minDelayTarget.
/// </description></item>
/// <item><description>Post-backoff: numMaxDelayRetries retries, each maxDelayTarget after the attempt before it.</description></item>
/// </list>
/// <para>
/// AWS shows the four backoff functions only as curves (ten retries from 5 to 260 seconds); this is how they are
/// read here, for backoff retry j of n (j from 0), t = j / (n - 1), min and max the two delay targets:
/// </para>
/// <list type="bullet">
/// <item><description>linear: min + (max - min) · t — AWS's example: 3 retries from 20 to 40 seconds wait 20, 30 and 40.</description></item>
/// <item><description>arithmetic: min + (max - min) · j(j + 1) / ((n - 1)n) — the increments grow arithmetically.</description></item>
/// <item><description>geometric: min · (max / min)^t — each delay a constant multiple of the one before.</description></item>
/// <item><description>exponential: min + (max - min) · (2^j - 1) / (2^(n-1) - 1) — the excess over min doubles each time.</description></item>
/// </list>
/// <para>
/// All four start at min and end at max; AWS's graph shows them apart only in between. For AWS's graphed case
/// (10 retries, 5 to 260 seconds) every retry in between waits longest under linear, then arithmetic, then
/// geometric, and least under exponential, which stays near the minimum longest. Delays are kept to the
/// millisecond. SNS adds jitter to its retries and, after a request timeout, counts the delay from the timeout;
/// both are left to the caller, which also applies the throttle policy.
/// </para>
/// </remarks>
internal sealed class RetrySchedule
{
    private static readonly RetrySchedule DefaultSchedule = new(SnsRetryPolicy.Default);

    private readonly TimeSpan[] _delays;

    /// <summary>The schedule of <paramref name="policy"/>, which must be valid.</summary>
    public RetrySchedule(SnsRetryPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(policy.NumBackoffRetries, nameof(policy));
        _delays = new TimeSpan[policy.NumRetries + 1];
        int attempt = 1;
        for (int i = 0; i < policy.NumNoDelayRetries; i++)
        {
            _delays[attempt++] = TimeSpan.Zero;
        }

        for (int i = 0; i < policy.NumMinDelayRetries; i++)
        {
            _delays[attempt++] = Seconds(policy.MinDelayTarget);
        }

        int backoff = policy.NumBackoffRetries;
        for (int i = 0; i < backoff; i++)
        {
            _delays[attempt++] = Seconds(BackoffSeconds(policy.BackoffFunction, policy.MinDelayTarget, policy.MaxDelayTarget, i, backoff));
        }

        for (int i = 0; i < policy.NumMaxDelayRetries; i++)
        {
            _delays[attempt++] = Seconds(policy.MaxDelayTarget);
        }

        foreach (var delay in _delays)
        {
            TotalRetryTime += delay;
        }
    }

    /// <summary>The schedule of AWS's default policy: 4 attempts, the retries 20 seconds apart.</summary>
    public static RetrySchedule Default => DefaultSchedule;

    /// <summary>The first attempt and every retry: numRetries + 1.</summary>
    public int TotalAttempts => _delays.Length;

    /// <summary>The sum of the delays: how long after the first attempt the last one starts, request times aside.</summary>
    public TimeSpan TotalRetryTime { get; }

    /// <summary>The delay before each attempt, the first (zero) included.</summary>
    public IReadOnlyList<TimeSpan> Delays => _delays;

    /// <summary>The schedule of <paramref name="policy"/>, shared for AWS's default.</summary>
    public static RetrySchedule For(SnsRetryPolicy policy) => policy == SnsRetryPolicy.Default ? DefaultSchedule : new RetrySchedule(policy);

    /// <summary>The delay between the failure of attempt <paramref name="attempt"/> - 1 and attempt <paramref name="attempt"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The attempt is not between 1 and <see cref="TotalAttempts"/>.</exception>
    public TimeSpan DelayBefore(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(attempt, TotalAttempts);
        return _delays[attempt - 1];
    }

    /// <summary>
    /// The delay before attempt <paramref name="attempt"/>, or false when the policy allows no such attempt: the
    /// delivery has failed for good (to the subscription's dead-letter queue, if it has one).
    /// </summary>
    public bool TryGetDelayBefore(int attempt, out TimeSpan delay)
    {
        if (attempt < 1 || attempt > TotalAttempts)
        {
            delay = default;
            return false;
        }

        delay = _delays[attempt - 1];
        return true;
    }

    /// <summary>The delay of backoff retry <paramref name="index"/> (from 0) of <paramref name="count"/>, in seconds.</summary>
    internal static double BackoffSeconds(SnsBackoffFunction function, double min, double max, int index, int count)
    {
        if (count <= 1 || min == max)
        {
            return min;
        }

        int last = count - 1;
        double t = (double)index / last;
        return function switch
        {
            SnsBackoffFunction.Linear => min + ((max - min) * t),
            SnsBackoffFunction.Arithmetic => min + ((max - min) * index * (index + 1) / (last * (double)count)),
            SnsBackoffFunction.Geometric => min * Math.Pow(max / min, t),
            SnsBackoffFunction.Exponential => min + ((max - min) * (Math.Pow(2, index) - 1) / (Math.Pow(2, last) - 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(function), function, null),
        };
    }

    /// <summary>Seconds to a TimeSpan rounded to the millisecond, so that schedules compare exactly.</summary>
    private static TimeSpan Seconds(double seconds) => TimeSpan.FromMilliseconds(Math.Round(seconds * 1000, MidpointRounding.AwayFromZero));
}
