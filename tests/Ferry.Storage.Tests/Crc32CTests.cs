using Ferry.Storage.Internal;

namespace Ferry.Storage.Tests;

public class Crc32CTests
{
    [Fact]
    public void Compute_KnownVector_MatchesCastagnoliCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Compute_Empty_IsZero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void Compute_HardwarePath_MatchesSoftwareForEveryLengthAndAlignment()
    {
        var data = TestData.Payload(7, 300);
        for (var start = 0; start < 9; start++)
        {
            for (var length = 0; length < data.Length - start; length += 13)
            {
                var span = data.AsSpan(start, length);
                Assert.Equal(~Crc32C.UpdateSoftware(~0u, span), Crc32C.Compute(span));
            }
        }
    }

    [Fact]
    public void Append_IsTheSameAsComputingTheConcatenation()
    {
        var data = TestData.Payload(3, 1000);
        Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, 333)), data.AsSpan(333)));
    }
}
