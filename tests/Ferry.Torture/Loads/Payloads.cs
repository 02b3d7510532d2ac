using System.Text;

namespace Ferry.Torture.Loads;

/// <summary>Bodies that carry their own identity: a token, a bar, then filler derived from the token. A body read back
/// is either exactly <see cref="Body"/> of its token, or damaged.</summary>
internal static class Payloads
{
    public static string Body(string token, int fillerLength)
    {
        var text = new StringBuilder(token.Length + 1 + fillerLength).Append(token).Append('|');
        var state = 2166136261u;
        foreach (var c in token)
        {
            state = (state ^ c) * 16777619u; // FNV-1a: the same in every process, unlike string.GetHashCode
        }

        state |= 1;
        for (var i = 0; i < fillerLength; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            text.Append((char)('a' + (state % 26)));
        }

        return text.ToString();
    }

    /// <summary>The token of an intact body, or null when the body is not one <see cref="Body"/> made.</summary>
    public static string? Token(string? body)
    {
        var bar = body?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        if (bar <= 0)
        {
            return null;
        }

        var token = body![..bar];
        return Body(token, body.Length - bar - 1) == body ? token : null;
    }
}

/// <summary>A run-wide logical clock: it orders what the workers observe (an acknowledgement before a later request).</summary>
internal static class Clock
{
    private static long s_now;

    public static long Tick() => Interlocked.Increment(ref s_now);
}
