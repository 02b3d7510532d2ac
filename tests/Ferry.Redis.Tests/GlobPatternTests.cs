using System.Diagnostics;
using System.Text;
using Ferry.Engine.RedisPubSub;

namespace Ferry.Redis.Tests;

public class GlobPatternTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("news.*", "news.tech", true)]
    [InlineData("news.*", "sport.tech", false)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h[a-b]llo", "hcllo", false)]
    [InlineData("h\\*llo", "h*llo", true)]
    [InlineData("h\\*llo", "hello", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("", "", true)]
    [InlineData("**", "", true)]
    public void IsMatch_FollowsRedisGlobRules(string pattern, string text, bool expected) =>
        Assert.Equal(expected, GlobPattern.IsMatch(Encoding.Latin1.GetBytes(pattern), Encoding.Latin1.GetBytes(text)));

    [Fact]
    public void IsMatch_ManyStarsAgainstALongMismatch_IsFast()
    {
        var pattern = Encoding.Latin1.GetBytes(string.Concat(Enumerable.Repeat("a*", 500)) + "b");
        var text = Encoding.Latin1.GetBytes(new string('a', 20000));
        var watch = Stopwatch.StartNew();
        Assert.False(GlobPattern.IsMatch(pattern, text));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }
}
