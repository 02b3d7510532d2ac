using System.Security.Cryptography;
namespace Ferry.Engine.Tests;

public class Md5Tests
{
    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    public void Finish_MatchesTheRfcTestSuite(string input, string digest)
    {
        var md5 = Md5.Create();
        md5.Append(System.Text.Encoding.ASCII.GetBytes(input));
        Assert.Equal(digest, Convert.ToHexStringLower(md5.Finish()));
    }

    [Fact]
    public void APrefixFinishedWithManySuffixes_MatchesHashingEachWholeInput()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var prefix = new byte[random.Next(0, 300)];
            random.NextBytes(prefix);
            var state = Md5.Create();
            foreach (var chunk in prefix.Chunk(random.Next(1, 80)))
            {
                state.Append(chunk);
            }

            for (var s = 0; s < 3; s++)
            {
                var suffix = new byte[random.Next(0, 200)];
                random.NextBytes(suffix);
                var copy = state;
                copy.Append(suffix);
                Assert.Equal(MD5.HashData([.. prefix, .. suffix]), copy.Finish());
            }

            Assert.Equal(MD5.HashData(prefix), state.Finish());
        }
    }

    [Fact]
    public void FinishMany_MatchesHashingEachWholeInput_ForEveryCountAndLengthAroundTheBlockSize()
    {
        var random = new Random(13);
        var cases = 0;
        foreach (var count in new[] { 0, 1, 2, 7, 8, 9, 10, 16, 17, 33 })
        {
            foreach (var (patchLength, tailLength) in new[] { (0, 0), (1, 0), (0, 5), (36, 0), (36, 150), (3, 52), (5, 55), (64, 1), (65, 63), (36, 700), (100, 20) })
            {
                var prefix = new byte[random.Next(0, 200)];
                random.NextBytes(prefix);
                var state = Md5.Create();
                state.Append(prefix);
                var patches = new byte[count * patchLength];
                random.NextBytes(patches);
                var tail = new byte[tailLength];
                random.NextBytes(tail);
                var digests = new byte[(count * Md5.HashSizeInBytes) + 4];
                digests.AsSpan().Fill(0xEE);

                state.FinishMany(patches, patchLength, count, tail, digests);

                for (var i = 0; i < count; i++)
                {
                    var whole = prefix.Concat(patches.Skip(i * patchLength).Take(patchLength)).Concat(tail).ToArray();
                    Assert.Equal(MD5.HashData(whole), digests.AsSpan(i * Md5.HashSizeInBytes, Md5.HashSizeInBytes).ToArray());
                }

                Assert.True(digests.AsSpan(count * Md5.HashSizeInBytes).IndexOfAnyExcept((byte)0xEE) < 0, "FinishMany wrote past the digests");
                Assert.Equal(MD5.HashData(prefix), state.Finish());
                cases++;
            }
        }

        Assert.Equal(110, cases);
    }

    [Fact]
    public void HashData_MatchesThePlatformsMd5_OnEveryLengthAroundTheBlockSizesAndTheThreshold()
    {
        var random = new Random(11);
        var lengths = Enumerable.Range(0, 300).Concat(Enumerable.Range(Md5.PlatformThreshold - 70, 140)).Append(1 << 20);
        Span<byte> digest = stackalloc byte[Md5.HashSizeInBytes + 4];
        foreach (var length in lengths)
        {
            var data = new byte[length];
            random.NextBytes(data);
            digest.Fill(0xEE);
            Md5.HashData(data, digest);
            Assert.Equal(MD5.HashData(data), digest[..Md5.HashSizeInBytes].ToArray());
            Assert.True(digest[Md5.HashSizeInBytes..].IndexOfAnyExcept((byte)0xEE) < 0, "HashData wrote past the digest");
        }
    }
}
