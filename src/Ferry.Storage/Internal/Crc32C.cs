using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Ferry.Storage.Internal;

/// <summary>CRC-32C (Castagnoli), with the SSE4.2 or ARMv8 CRC instructions where the CPU has them.</summary>
internal static class Crc32C
{
    /// <summary>Reflected Castagnoli polynomial, the one the SSE4.2 <c>crc32</c> instruction computes.</summary>
    private const uint Polynomial = 0x82F63B78;

    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Extends <paramref name="crc"/> (a finished CRC of earlier bytes) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(data);
            ulong c = crc;
            foreach (var w in words)
            {
                c = Sse42.X64.Crc32(c, BitConverter.IsLittleEndian ? w : BinaryPrimitives.ReverseEndianness(w));
            }

            crc = (uint)c;
            foreach (var b in data[(words.Length * 8)..])
            {
                crc = Sse42.Crc32(crc, b);
            }

            return crc;
        }

        if (Crc32.Arm64.IsSupported)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(data);
            foreach (var w in words)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, w);
            }

            foreach (var b in data[(words.Length * 8)..])
            {
                crc = Crc32.ComputeCrc32C(crc, b);
            }

            return crc;
        }

        return UpdateSoftware(crc, data);
    }

    /// <summary>The portable table-driven CRC; also the oracle the hardware path is tested against.</summary>
    internal static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
