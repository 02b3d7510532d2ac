using System.Globalization;
using System.Text;

namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>Renders an input for a failure message: printable ASCII as it is, everything else as <c>\xNN</c>.</summary>
internal static class InputText
{
    public static string Escape(ReadOnlySpan<byte> input, int max = 600)
    {
        var text = new StringBuilder(Math.Min(input.Length, max) + 16);
        foreach (var b in input[..Math.Min(input.Length, max)])
        {
            _ = b switch
            {
                (byte)'\\' => text.Append(@"\\"),
                (byte)'\r' => text.Append(@"\r"),
                (byte)'\n' => text.Append(@"\n"),
                >= 0x20 and < 0x7F => text.Append((char)b),
                _ => text.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}"),
            };
        }

        if (input.Length > max)
        {
            text.Append(CultureInfo.InvariantCulture, $"... ({input.Length} bytes)");
        }

        return text.ToString();
    }
}
