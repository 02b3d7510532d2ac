using System.Buffers.Binary;
using System.Numerics;

namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// MD5 (RFC 1321) as a copyable value: hash a shared prefix once, then finish a copy of the state for each suffix.
/// SNS fans one envelope out to many queues whose bodies differ only near their end; each body needs its own MD5 for
/// SQS's MD5OfBody, and this keeps the common part from being hashed again for every queue.
/// </summary>
internal struct Md5Prefix
{
    private static readonly uint[] K = BuildConstants();

    private static readonly int[] Shifts =
    [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];

    private uint _a;
    private uint _b;
    private uint _c;
    private uint _d;
    private long _length;
    private Block _pending;
    private int _pendingCount;

    /// <summary>The state before any input.</summary>
    public static Md5Prefix Create() => new() { _a = 0x67452301, _b = 0xefcdab89, _c = 0x98badcfe, _d = 0x10325476 };

    /// <summary>Adds bytes to the hashed input.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        Span<byte> pending = _pending;
        if (_pendingCount > 0)
        {
            var take = Math.Min(64 - _pendingCount, data.Length);
            data[..take].CopyTo(pending[_pendingCount..]);
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < 64)
            {
                return;
            }

            Compress(pending);
            _pendingCount = 0;
        }

        while (data.Length >= 64)
        {
            Compress(data[..64]);
            data = data[64..];
        }

        data.CopyTo(pending);
        _pendingCount = data.Length;
    }

    /// <summary>The digest of everything appended (the state itself is left as it was: finish a copy).</summary>
    public readonly byte[] Finish()
    {
        var copy = this;
        Span<byte> tail = stackalloc byte[128];
        ((ReadOnlySpan<byte>)copy._pending)[..copy._pendingCount].CopyTo(tail);
        tail[copy._pendingCount] = 0x80;
        var total = copy._pendingCount + 1 + 8 <= 64 ? 64 : 128;
        tail[(copy._pendingCount + 1)..total].Clear();
        BinaryPrimitives.WriteInt64LittleEndian(tail[(total - 8)..], copy._length * 8);
        copy.Compress(tail[..64]);
        if (total == 128)
        {
            copy.Compress(tail[64..128]);
        }

        var digest = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(digest, copy._a);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(4), copy._b);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(8), copy._c);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(12), copy._d);
        return digest;
    }

    private void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> m = stackalloc uint[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }

        uint a = _a, b = _b, c = _c, d = _d;
        for (var i = 0; i < 64; i++)
        {
            uint f;
            int g;
            switch (i >> 4)
            {
                case 0:
                    f = (b & c) | (~b & d);
                    g = i;
                    break;
                case 1:
                    f = (d & b) | (~d & c);
                    g = ((5 * i) + 1) & 15;
                    break;
                case 2:
                    f = b ^ c ^ d;
                    g = ((3 * i) + 5) & 15;
                    break;
                default:
                    f = c ^ (b | ~d);
                    g = (7 * i) & 15;
                    break;
            }

            var rotated = BitOperations.RotateLeft(a + f + K[i] + m[g], Shifts[i]);
            a = d;
            d = c;
            c = b;
            b += rotated;
        }

        _a += a;
        _b += b;
        _c += c;
        _d += d;
    }

    /// <summary>K[i] = floor(|sin(i + 1)| · 2^32), as RFC 1321 defines the table.</summary>
    private static uint[] BuildConstants()
    {
        var k = new uint[64];
        for (var i = 0; i < 64; i++)
        {
            k[i] = (uint)(long)Math.Floor(Math.Abs(Math.Sin(i + 1)) * 4294967296.0);
        }

        return k;
    }

    /// <summary>64 bytes of input not yet compressed.</summary>
    [System.Runtime.CompilerServices.InlineArray(64)]
    private struct Block
    {
        private byte _element;
    }
}
