using System.Buffers.Binary;
using System.Text;

namespace Ferry.Fuzz.Tests.Http;

/// <summary>
/// Checks that bytes are exactly one well-formed CBOR item (RFC 8949 section 3): every head's argument encoding is
/// defined, lengths stay inside the input, indefinite-length items are closed, text strings are UTF-8, and nothing
/// trails. Independent of Ferry's own translator, which it judges.
/// </summary>
internal static class CborCheck
{
    private const int MaxDepth = 256;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void WellFormed(ReadOnlySpan<byte> cbor)
    {
        var at = 0;
        Item(cbor, ref at, 0);
        if (at != cbor.Length)
        {
            throw new FormatException($"{cbor.Length - at} bytes trail the CBOR item");
        }
    }

    private static void Item(ReadOnlySpan<byte> cbor, ref int at, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException("CBOR nests too deeply");
        }

        var head = Byte(cbor, ref at);
        int major = head >> 5, info = head & 31;
        if (major == 7)
        {
            Simple(cbor, ref at, info);
            return;
        }

        if (info == 31)
        {
            Indefinite(cbor, ref at, major, depth);
            return;
        }

        var argument = Argument(cbor, ref at, info);
        switch (major)
        {
            case 2 or 3:
                if (argument > (ulong)(cbor.Length - at))
                {
                    throw new FormatException("a string runs past the end");
                }

                if (major == 3)
                {
                    StrictUtf8.GetCharCount(cbor.Slice(at, (int)argument));
                }

                at += (int)argument;
                return;
            case 4 or 5:
                for (ulong i = 0; i < argument * (major == 5 ? 2UL : 1UL); i++)
                {
                    Item(cbor, ref at, depth + 1);
                }

                return;
            case 6:
                Item(cbor, ref at, depth + 1);
                return;
            default:
                return;
        }
    }

    private static void Indefinite(ReadOnlySpan<byte> cbor, ref int at, int major, int depth)
    {
        if (major is 0 or 1 or 6)
        {
            throw new FormatException("an indefinite length on a major type that has none");
        }

        while (Peek(cbor, at) != 0xFF)
        {
            if (major is 2 or 3 && (Peek(cbor, at) >> 5 != major || (Peek(cbor, at) & 31) == 31))
            {
                throw new FormatException("a chunk of another type in an indefinite string");
            }

            Item(cbor, ref at, depth + 1);
            if (major == 5)
            {
                Item(cbor, ref at, depth + 1);
            }
        }

        at++;
    }

    private static void Simple(ReadOnlySpan<byte> cbor, ref int at, int info)
    {
        var size = info switch
        {
            < 24 => 0,
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => throw new FormatException("a reserved simple value or a stray break"),
        };
        Need(cbor, at, size);
        at += size;
    }

    private static ulong Argument(ReadOnlySpan<byte> cbor, ref int at, int info)
    {
        switch (info)
        {
            case < 24:
                return (ulong)info;
            case 24:
                return Byte(cbor, ref at);
            case 25:
                Need(cbor, at, 2);
                at += 2;
                return BinaryPrimitives.ReadUInt16BigEndian(cbor[(at - 2)..]);
            case 26:
                Need(cbor, at, 4);
                at += 4;
                return BinaryPrimitives.ReadUInt32BigEndian(cbor[(at - 4)..]);
            case 27:
                Need(cbor, at, 8);
                at += 8;
                return BinaryPrimitives.ReadUInt64BigEndian(cbor[(at - 8)..]);
            default:
                throw new FormatException("a reserved argument encoding");
        }
    }

    private static byte Byte(ReadOnlySpan<byte> cbor, ref int at)
    {
        Need(cbor, at, 1);
        return cbor[at++];
    }

    private static byte Peek(ReadOnlySpan<byte> cbor, int at)
    {
        Need(cbor, at, 1);
        return cbor[at];
    }

    private static void Need(ReadOnlySpan<byte> cbor, int at, int count)
    {
        if (at + count > cbor.Length)
        {
            throw new FormatException("the CBOR item ends early");
        }
    }
}
