using System.Globalization;

namespace Ferry.Engine.Topics.Filtering;

/// <summary>An IPv4 or IPv6 address as a 128-bit number; IPv4 uses the low 32 bits.</summary>
internal readonly struct IpAddressValue(ulong high, ulong low, bool isV6)
{
    public ulong High { get; } = high;

    public ulong Low { get; } = low;

    public bool IsV6 { get; } = isV6;

    public bool SameAs(in IpAddressValue other) => IsV6 == other.IsV6 && High == other.High && Low == other.Low;

    /// <summary>Unsigned 128-bit order; only meaningful within one family.</summary>
    public static bool LessOrEqual(in IpAddressValue a, in IpAddressValue b) => a.High < b.High || (a.High == b.High && a.Low <= b.Low);
}

internal enum IpParseResult
{
    /// <summary>The text does not have the shape of an address, so it is an ordinary string.</summary>
    NotAnAddress,

    /// <summary>It has the shape of an address but is not one (an octet above 255, a bad IPv6 group).</summary>
    Invalid,

    Ok,
}

/// <summary>Reads IP address literals without allocating.</summary>
/// <remarks>An address is recognised only in the two shapes SNS's matcher recognises: four dotted decimal numbers, or
/// hex digits and colons with at least one colon. So an IPv6 literal with a dotted IPv4 tail is a plain string, while an
/// IPv4-mapped IPv6 address in hex (<c>::ffff:a00:1</c>) is the IPv4 address it maps.</remarks>
internal static class IpAddressText
{
    public static IpParseResult TryParse(ReadOnlySpan<char> text, out IpAddressValue value)
    {
        if (HasV4Shape(text))
        {
            return TryParseV4(text, out value) ? IpParseResult.Ok : IpParseResult.Invalid;
        }

        if (HasV6Shape(text))
        {
            return TryParseV6(text, out value) ? IpParseResult.Ok : IpParseResult.Invalid;
        }

        value = default;
        return IpParseResult.NotAnAddress;
    }

    private static bool HasV4Shape(ReadOnlySpan<char> text)
    {
        int dots = 0, digits = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || ++dots > 3)
                {
                    return false;
                }

                digits = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else
            {
                return false;
            }
        }

        return dots == 3 && digits > 0;
    }

    private static bool HasV6Shape(ReadOnlySpan<char> text)
    {
        bool colon = false;
        foreach (var c in text)
        {
            if (c == ':')
            {
                colon = true;
            }
            else if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return colon;
    }

    private static bool TryParseV4(ReadOnlySpan<char> text, out IpAddressValue value)
    {
        ulong address = 0;
        uint octet = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                address = (address << 8) | octet;
                octet = 0;
                continue;
            }

            octet = (octet * 10) + (uint)(c - '0');
            if (octet > 255)
            {
                value = default;
                return false;
            }
        }

        value = new IpAddressValue(0, (address << 8) | octet, false);
        return true;
    }

    private static bool TryParseV6(ReadOnlySpan<char> text, out IpAddressValue value)
    {
        value = default;
        Span<ushort> groups = stackalloc ushort[8];
        int count = 0, gap = -1, i = 0;
        if (text.StartsWith("::", StringComparison.Ordinal))
        {
            gap = 0;
            i = 2;
        }

        while (i < text.Length)
        {
            int start = i;
            uint group = 0;
            while (i < text.Length && i - start < 5 && char.IsAsciiHexDigit(text[i]))
            {
                group = (group << 4) | (uint)HexValue(text[i]);
                i++;
            }

            if (i == start || i - start > 4 || count == 8)
            {
                return false;
            }

            groups[count++] = (ushort)group;
            if (i == text.Length)
            {
                break;
            }

            // The shape check leaves only a colon here.
            i++;
            if (i == text.Length)
            {
                return false;
            }

            if (text[i] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }

                gap = count;
                i++;
            }
        }

        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        Span<ushort> full = stackalloc ushort[8];
        full.Clear();
        if (gap < 0)
        {
            groups.CopyTo(full);
        }
        else
        {
            groups[..gap].CopyTo(full);
            groups[gap..count].CopyTo(full[(8 - (count - gap))..]);
        }

        ulong high = ((ulong)full[0] << 48) | ((ulong)full[1] << 32) | ((ulong)full[2] << 16) | full[3];
        ulong low = ((ulong)full[4] << 48) | ((ulong)full[5] << 32) | ((ulong)full[6] << 16) | full[7];
        value = high == 0 && (low >> 32) == 0xFFFF
            ? new IpAddressValue(0, low & 0xFFFF_FFFF, false)
            : new IpAddressValue(high, low, true);
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/// <summary>A <c>cidr</c> condition's addresses: from the address as written up to the last address of its block.</summary>
/// <remarks>SNS's matcher does not clear the host bits of the written address: <c>10.0.0.5/24</c> covers
/// 10.0.0.5–10.0.0.255, not 10.0.0.0–10.0.0.255. Ferry does the same.</remarks>
internal readonly struct IpRange(IpAddressValue first, IpAddressValue last)
{
    public IpAddressValue First { get; } = first;

    public IpAddressValue Last { get; } = last;

    public bool Contains(in IpAddressValue address) =>
        address.IsV6 == First.IsV6 && IpAddressValue.LessOrEqual(First, address) && IpAddressValue.LessOrEqual(address, Last);

    /// <summary>Parses the value of a <c>cidr</c> condition, refusing it in SNS's words.</summary>
    public static IpRange Parse(string cidr)
    {
        var parts = cidr.Split('/');
        int count = parts.Length;
        // The split SNS's matcher uses drops trailing empty pieces: "10.0.0.0/24/" has two.
        while (count > 0 && parts[count - 1].Length == 0)
        {
            count--;
        }

        if (count != 2)
        {
            throw new FilterPolicyException("Malformed CIDR, one '/' required");
        }

        if (!int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var maskBits))
        {
            throw new FilterPolicyException("Malformed CIDR, mask bits must be an integer");
        }

        if (maskBits < 0)
        {
            throw new FilterPolicyException("Malformed CIDR, mask bits must not be negative");
        }

        switch (IpAddressText.TryParse(parts[0], out var address))
        {
            case IpParseResult.NotAnAddress:
                throw new FilterPolicyException("Nonstandard IP address: " + parts[0]);
            case IpParseResult.Invalid:
                throw new FilterPolicyException("Invalid IP address: " + parts[0]);
        }

        if (!address.IsV6 && maskBits > 31)
        {
            throw new FilterPolicyException("IPv4 mask bits must be < 32");
        }

        if (address.IsV6 && maskBits > 127)
        {
            throw new FilterPolicyException("IPv6 mask bits must be < 128");
        }

        int hostBits = (address.IsV6 ? 128 : 32) - maskBits;
        ulong high = address.High, low = address.Low;
        if (hostBits >= 64)
        {
            low = ulong.MaxValue;
            high |= hostBits == 128 ? ulong.MaxValue : (1UL << (hostBits - 64)) - 1;
        }
        else
        {
            low |= (1UL << hostBits) - 1;
        }

        return new IpRange(address, new IpAddressValue(high, low, address.IsV6));
    }
}
