namespace Ferry.Engine.RedisPubSub;

/// <summary>Redis's glob-style matching (<c>stringmatchlen</c>): <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a-z]</c> and
/// <c>\</c> escapes, over bytes.</summary>
/// <remarks>Iterative: on a mismatch it backtracks only to the last <c>*</c>, so a pattern of n bytes against a text of
/// m bytes costs at most O(n·m), never the exponential time of naive recursion over many stars.</remarks>
public static class GlobPattern
{
    /// <summary>The longest pattern Ferry accepts (PSUBSCRIBE, KEYS, SCAN MATCH), bounding the cost of a match.</summary>
    public const int MaxLength = 1024;

    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        int p = 0, t = 0;
        int starP = -1, starT = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                var c = pattern[p];
                if (c == '*')
                {
                    while (p < pattern.Length && pattern[p] == '*')
                    {
                        p++;
                    }

                    if (p == pattern.Length)
                    {
                        return true;
                    }

                    starP = p;
                    starT = t;
                    continue;
                }

                if (MatchOne(pattern, ref p, text[t]))
                {
                    t++;
                    continue;
                }
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Matches one non-star token at <paramref name="p"/> against <paramref name="ch"/>; on success moves
    /// <paramref name="p"/> past the token.</summary>
    private static bool MatchOne(ReadOnlySpan<byte> pattern, ref int p, byte ch)
    {
        var c = pattern[p];
        switch (c)
        {
            case (byte)'?':
                p++;
                return true;
            case (byte)'[':
            {
                var i = p + 1;
                var not = i < pattern.Length && pattern[i] == '^';
                if (not)
                {
                    i++;
                }

                var match = false;
                while (true)
                {
                    if (i >= pattern.Length)
                    {
                        // An unterminated class: Redis treats the end of the pattern as its end.
                        i--;
                        break;
                    }

                    if (pattern[i] == '\\' && i + 1 < pattern.Length)
                    {
                        i++;
                        if (pattern[i] == ch)
                        {
                            match = true;
                        }
                    }
                    else if (pattern[i] == ']')
                    {
                        break;
                    }
                    else if (i + 2 < pattern.Length && pattern[i + 1] == '-')
                    {
                        int start = pattern[i], end = pattern[i + 2];
                        if (start > end)
                        {
                            (start, end) = (end, start);
                        }

                        i += 2;
                        if (ch >= start && ch <= end)
                        {
                            match = true;
                        }
                    }
                    else if (pattern[i] == ch)
                    {
                        match = true;
                    }

                    i++;
                }

                if (not)
                {
                    match = !match;
                }

                if (!match)
                {
                    return false;
                }

                p = i + 1;
                return true;
            }

            case (byte)'\\' when p + 1 < pattern.Length:
                if (pattern[p + 1] != ch)
                {
                    return false;
                }

                p += 2;
                return true;
            default:
                if (c != ch)
                {
                    return false;
                }

                p++;
                return true;
        }
    }
}
