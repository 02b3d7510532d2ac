using System.Globalization;
using System.Text;

namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>
/// Turns a valid input into a hostile one: bit and byte flips, inserted, deleted and duplicated ranges, splices of two
/// inputs, numbers swapped for boundary values, interesting strings, the format's own words, truncation, deep nesting
/// and long repetitions. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class Mutator(Random random, Grammar grammar)
{
    private delegate byte[] Mutation(Mutator m, byte[] data, IReadOnlyList<byte[]> corpus);

    /// <summary>Every mutation, with the weight it is chosen with.</summary>
    private static readonly (Mutation Apply, int Weight)[] Mutations =
    [
        (static (m, d, _) => m.FlipBit(d), 4),
        (static (m, d, _) => m.SetByte(d), 4),
        (static (m, d, _) => m.InsertBytes(d), 3),
        (static (m, d, _) => m.DeleteRange(d), 4),
        (static (m, d, _) => m.DuplicateRange(d), 3),
        (static (m, d, c) => m.Splice(d, c), 3),
        (static (m, d, c) => m.InsertFromOther(d, c), 2),
        (static (m, d, _) => m.ReplaceNumber(d), 8),
        (static (m, d, _) => m.InsertString(d), 5),
        (static (m, d, _) => m.InsertToken(d), 5),
        (static (m, d, _) => m.ReplaceToken(d), 6),
        (static (m, d, _) => m.Truncate(d), 2),
        (static (m, d, _) => m.Nest(d), 2),
        (static (m, d, _) => m.RepeatRange(d), 2),
        (static (m, d, _) => m.RepeatCounting(d), 2),
    ];

    private static readonly int TotalWeight = Mutations.Sum(m => m.Weight);

    /// <summary>One new input: a few stacked mutations of <paramref name="seed"/>.</summary>
    public byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> corpus)
    {
        var data = seed;
        var count = random.Next(8) == 0 ? 8 : 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            var pick = random.Next(TotalWeight);
            foreach (var (apply, weight) in Mutations)
            {
                if ((pick -= weight) < 0)
                {
                    data = apply(this, data, corpus);
                    break;
                }
            }

            if (data.Length > grammar.MaxLength)
            {
                data = data[..grammar.MaxLength];
            }
        }

        return data;
    }

    private int Position(byte[] data) => random.Next(data.Length + 1);

    /// <summary>A length that is usually short and sometimes most of the input.</summary>
    private int RangeLength(int available) =>
        available == 0 ? 0 : random.Next(4) == 0 ? 1 + random.Next(available) : 1 + random.Next(Math.Min(available, 16));

    private static byte[] Replace(byte[] data, int at, int length, ReadOnlySpan<byte> with)
    {
        var result = new byte[data.Length - length + with.Length];
        data.AsSpan(0, at).CopyTo(result);
        with.CopyTo(result.AsSpan(at));
        data.AsSpan(at + length).CopyTo(result.AsSpan(at + with.Length));
        return result;
    }

    private byte[] FlipBit(byte[] data)
    {
        if (data.Length == 0)
        {
            return data;
        }

        var copy = (byte[])data.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private byte[] SetByte(byte[] data)
    {
        if (data.Length == 0)
        {
            return [Interesting.Bytes[random.Next(Interesting.Bytes.Length)]];
        }

        var copy = (byte[])data.Clone();
        copy[random.Next(copy.Length)] = random.Next(2) == 0
            ? Interesting.Bytes[random.Next(Interesting.Bytes.Length)]
            : (byte)random.Next(256);
        return copy;
    }

    private byte[] InsertBytes(byte[] data)
    {
        var bytes = new byte[1 + random.Next(8)];
        random.NextBytes(bytes);
        return Replace(data, Position(data), 0, bytes);
    }

    private byte[] DeleteRange(byte[] data)
    {
        var length = RangeLength(data.Length);
        return length == 0 ? data : Replace(data, random.Next(data.Length - length + 1), length, []);
    }

    private byte[] DuplicateRange(byte[] data)
    {
        var length = RangeLength(data.Length);
        if (length == 0)
        {
            return data;
        }

        var from = random.Next(data.Length - length + 1);
        return Replace(data, Position(data), 0, data.AsSpan(from, length));
    }

    /// <summary>The start of this input and the end of another.</summary>
    private byte[] Splice(byte[] data, IReadOnlyList<byte[]> corpus)
    {
        var other = corpus[random.Next(corpus.Count)];
        var cut = Position(data);
        var from = random.Next(other.Length + 1);
        return [.. data.AsSpan(0, cut), .. other.AsSpan(from)];
    }

    private byte[] InsertFromOther(byte[] data, IReadOnlyList<byte[]> corpus)
    {
        var other = corpus[random.Next(corpus.Count)];
        var length = RangeLength(other.Length);
        if (length == 0)
        {
            return data;
        }

        return Replace(data, Position(data), 0, other.AsSpan(random.Next(other.Length - length + 1), length));
    }

    /// <summary>Swaps a run of digits (with its sign) for a boundary value, or inserts one.</summary>
    private byte[] ReplaceNumber(byte[] data)
    {
        var value = Interesting.NumberBytes[random.Next(Interesting.NumberBytes.Length)];
        var digits = FindDigitRuns(data);
        if (digits.Count == 0)
        {
            return Replace(data, Position(data), 0, value);
        }

        var (start, length) = digits[random.Next(digits.Count)];
        if (start > 0 && data[start - 1] == '-')
        {
            start--;
            length++;
        }

        return Replace(data, start, length, value);
    }

    private static List<(int Start, int Length)> FindDigitRuns(byte[] data)
    {
        var runs = new List<(int, int)>();
        for (var i = 0; i < data.Length; i++)
        {
            if (!char.IsAsciiDigit((char)data[i]))
            {
                continue;
            }

            var start = i;
            while (i < data.Length && char.IsAsciiDigit((char)data[i]))
            {
                i++;
            }

            runs.Add((start, i - start));
        }

        return runs;
    }

    private byte[] InsertString(byte[] data)
    {
        var text = Interesting.StringBytes[random.Next(Interesting.StringBytes.Length)];
        if (random.Next(16) == 0)
        {
            // A long run of one character: past every length limit of a name or a value.
            text = Encoding.ASCII.GetBytes(new string((char)('A' + random.Next(26)), Interesting.Repeats[random.Next(Interesting.Repeats.Length)]));
        }

        var at = Position(data);
        return random.Next(3) == 0 && data.Length > 0
            ? Replace(data, Math.Min(at, data.Length - 1), 1, text)
            : Replace(data, at, 0, text);
    }

    private byte[] InsertToken(byte[] data) =>
        grammar.Tokens.Length == 0 ? data : Replace(data, Position(data), 0, grammar.Tokens[random.Next(grammar.Tokens.Length)]);

    /// <summary>Finds one of the format's words in the input and puts another in its place.</summary>
    private byte[] ReplaceToken(byte[] data)
    {
        if (grammar.Tokens.Length == 0)
        {
            return data;
        }

        var start = random.Next(grammar.Tokens.Length);
        for (var i = 0; i < grammar.Tokens.Length; i++)
        {
            var token = grammar.Tokens[(start + i) % grammar.Tokens.Length];
            var at = data.AsSpan().IndexOf(token);
            if (at >= 0)
            {
                return Replace(data, at, token.Length, grammar.Tokens[random.Next(grammar.Tokens.Length)]);
            }
        }

        return InsertToken(data);
    }

    private byte[] Truncate(byte[] data) => data.Length == 0 ? data : data[..random.Next(data.Length)];

    /// <summary>An opener repeated to a depth around the usual limits, balanced by its closers or not at all.</summary>
    private byte[] Nest(byte[] data)
    {
        if (grammar.Nestings.Length == 0)
        {
            return data;
        }

        var (open, close) = grammar.Nestings[random.Next(grammar.Nestings.Length)];
        var depth = Math.Min(Interesting.Repeats[random.Next(Interesting.Repeats.Length)], grammar.MaxLength / (open.Length + close.Length + 1));
        var at = Position(data);
        var balanced = random.Next(2) == 0;
        var result = new List<byte>(data.Length + (depth * (open.Length + close.Length)));
        result.AddRange(data.AsSpan(0, at));
        for (var i = 0; i < depth; i++)
        {
            result.AddRange(open);
        }

        result.AddRange("1"u8);
        for (var i = 0; balanced && i < depth; i++)
        {
            result.AddRange(close);
        }

        result.AddRange(data.AsSpan(at));
        return [.. result];
    }

    /// <summary>A range repeated many times in place: long lists, long values, many parameters.</summary>
    private byte[] RepeatRange(byte[] data)
    {
        var length = Math.Min(RangeLength(data.Length), 64);
        if (length == 0)
        {
            return data;
        }

        var from = random.Next(data.Length - length + 1);
        var times = Math.Min(Interesting.Repeats[random.Next(Interesting.Repeats.Length)], grammar.MaxLength / length);
        var result = new List<byte>(data.Length + (length * times));
        result.AddRange(data.AsSpan(0, from + length));
        for (var i = 1; i < times; i++)
        {
            result.AddRange(data.AsSpan(from, length));
        }

        result.AddRange(data.AsSpan(from + length));
        return [.. result];
    }

    /// <summary>
    /// A range holding a number repeated with the number counting up: <c>&amp;Tag.1.Key=a</c> becomes
    /// <c>&amp;Tag.1.Key=a&amp;Tag.2.Key=a...</c>, so that flattened lists and maps get thousands of distinct members.
    /// </summary>
    private byte[] RepeatCounting(byte[] data)
    {
        var runs = FindDigitRuns(data);
        if (runs.Count == 0)
        {
            return RepeatRange(data);
        }

        var (digitStart, digitLength) = runs[random.Next(runs.Count)];
        var from = Math.Max(0, digitStart - random.Next(24));
        var to = Math.Min(data.Length, digitStart + digitLength + random.Next(48));
        var times = Interesting.Repeats[random.Next(Interesting.Repeats.Length)];
        var result = new List<byte>(data.Length + ((to - from + 6) * Math.Min(times, 4096)));
        result.AddRange(data.AsSpan(0, to));
        for (var i = 2; i <= times && result.Count < grammar.MaxLength; i++)
        {
            result.AddRange(data.AsSpan(from, digitStart - from));
            result.AddRange(Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture)));
            result.AddRange(data.AsSpan(digitStart + digitLength, to - digitStart - digitLength));
        }

        result.AddRange(data.AsSpan(to));
        return [.. result];
    }
}
