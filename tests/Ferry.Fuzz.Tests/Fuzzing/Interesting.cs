using System.Text;

namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>Values that sit on the boundaries parsers get wrong, shared by every target's mutator.</summary>
internal static class Interesting
{
    /// <summary>Replacements for a number in the input: signs, zero, the edges of 32, 53, 63 and 64 bits, huge
    /// lengths, and the spellings of numbers that strict parsers refuse (exponents, fractions, leading zeros).</summary>
    public static readonly string[] Numbers =
    [
        "-1", "0", "1", "-0", "00", "01", "2", "7", "10", "24", "255", "256", "65535", "65536",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
        "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "340282366920938463463374607431768211455",
        "340282366920938463463374607431768211456", "99999999999999999999999999999999999999999999",
        "1e308", "1e309", "-1e309", "1E400", "0.5", "1.0", "-0.0", "1e-400", "NaN", "Infinity", "0x10", "+1", " 1", "1 ",
    ];

    /// <summary>Strings to insert: every escaping and encoding layer's special characters, surrogates, markup.</summary>
    public static readonly string[] Strings =
    [
        "\0", "\u0001", "\u001f", "\u007f", "\t", "\r", "\n", "\r\n", "\"", "'", "\\", "\\\\", "\\u", "\\uD800", "\\uDC00", "\\uD83D\\uDE00",
        "\\x41", "\\", "\\\"", "%", "%0", "%ZZ", "%00", "%0D%0A", "%C3%28", "%ED%A0%80", "%FF", "%2F", "%25", "+", "&", "=", "&&", "==", ";",
        "<", ">", "&amp;", "&#0;", "&#x1;", "]]>", "<![CDATA[", "<?xml", "\u00e9", "\u20ac", "\ud83d\ude00", "\ufeff", "\ufffe", "\uffff",
        "null", "true", "false", "[]", "{}", "[{}]", "{\"\":null}", "\"\"", "*", "?", "[", "]", "{", "}", ",", ":", ".", "..", "../",
        "$", "$or", "$and", "prefix", "suffix", "numeric", "exists", "anything-but", "equals-ignore-case", "cidr", "wildcard",
        "arn:aws:sqs:us-east-1:000000000000:fuzz", "arn:aws:sns:us-east-1:000000000000:fuzz", "arn:aws:kinesis:us-east-1:000000000000:stream/fuzz",
        "http://localhost:4566/000000000000/fuzz", "AWS4-HMAC-SHA256", "aws4_request", "/", "//", "Credential=", ", ",
        "String", "Number", "Binary", "String.Array", "Number.float", "Binary.", "*-1\r\n", "$-1\r\n", "*0\r\n", "$0\r\n\r\n",
    ];

    /// <summary>Single bytes to overwrite with: structure characters of every format here, and the UTF-8 edges.</summary>
    public static readonly byte[] Bytes =
    [
        0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x22, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2C, 0x2E, 0x2F, 0x30, 0x39, 0x3A,
        0x3C, 0x3D, 0x3E, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF8, 0xFE, 0xFF,
        // CBOR heads: indefinite containers and strings, breaks, 8-byte lengths, tags, floats.
        0x1B, 0x3B, 0x5B, 0x5F, 0x7B, 0x7F, 0x9B, 0x9F, 0xBB, 0xBF, 0xC1, 0xD8, 0xF9, 0xFA, 0xFB,
    ];

    /// <summary>How many times a nesting or a repetition is applied: small, around the usual depth limits, huge.</summary>
    public static readonly int[] Repeats = [2, 3, 16, 31, 32, 33, 63, 64, 65, 100, 129, 1000, 1001, 4096, 10_000, 100_000];

    public static readonly byte[][] NumberBytes = [.. Numbers.Select(Encoding.UTF8.GetBytes)];

    public static readonly byte[][] StringBytes = [.. Strings.Select(Encoding.UTF8.GetBytes)];
}
