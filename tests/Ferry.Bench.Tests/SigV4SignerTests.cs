using System.Text;
using Ferry.Bench.Aws;

namespace Ferry.Bench.Tests;

/// <summary>Vectors from AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite).</summary>
public sealed class SigV4SignerTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20150830T123600Z";
    private const string Scope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

    private static readonly KeyValuePair<string, string> s_host = new("Host", "example.amazonaws.com");

    private static SigV4Signer Signer() => new(AccessKey, SecretKey, "us-east-1", "service");

    [Fact]
    public void GetVanilla_MatchesPublishedCanonicalRequestAndSignature()
    {
        var request = new SigV4Request("GET", "/", "", [s_host], ReadOnlyMemory<byte>.Empty);
        string authorization = Signer().Authorization(request, AmzDate, out string canonicalRequest, out string stringToSign);

        Assert.Equal(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            canonicalRequest);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            stringToSign);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            authorization);
    }

    [Fact]
    public void PostVanilla_MatchesPublishedSignature()
    {
        var request = new SigV4Request("POST", "/", "", [s_host], ReadOnlyMemory<byte>.Empty);
        string authorization = Signer().Authorization(request, AmzDate, out _, out string stringToSign);

        Assert.EndsWith("553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87", stringToSign, StringComparison.Ordinal);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders=host;x-amz-date, "
            + "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            authorization);
    }

    [Fact]
    public void GetVanillaQueryOrderKeyCase_SortsParametersByName()
    {
        var request = new SigV4Request("GET", "/", "Param2=value2&Param1=value1", [s_host], ReadOnlyMemory<byte>.Empty);
        string authorization = Signer().Authorization(request, AmzDate, out string canonicalRequest, out _);

        Assert.StartsWith("GET\n/\nParam1=value1&Param2=value2\n", canonicalRequest, StringComparison.Ordinal);
        Assert.EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void AGivenPayloadHash_IsSignedInsteadOfHashingTheBody()
    {
        byte[] body = Encoding.UTF8.GetBytes("Param1=value1");
        var headers = new KeyValuePair<string, string>[] { new("Content-Type", "application/x-www-form-urlencoded"), s_host };
        string hashed = Signer().Authorization(new SigV4Request("POST", "/", "", headers, body), AmzDate, out _, out _);
        string given = Signer().Authorization(
            new SigV4Request("POST", "/", "", headers, body, SigV4Signer.HexSha256(body)), AmzDate, out string canonicalRequest, out _);
        string other = Signer().Authorization(
            new SigV4Request("POST", "/", "", headers, body, SigV4Signer.HexSha256("other"u8)), AmzDate, out _, out _);

        Assert.Equal(hashed, given);
        Assert.EndsWith("\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e", canonicalRequest, StringComparison.Ordinal);
        Assert.NotEqual(hashed, other);
    }

    [Fact]
    public void PostXWwwFormUrlencoded_SignsContentTypeAndBodyHash()
    {
        var request = new SigV4Request(
            "POST",
            "/",
            "",
            [new("Content-Type", "application/x-www-form-urlencoded"), s_host],
            Encoding.UTF8.GetBytes("Param1=value1"));
        string authorization = Signer().Authorization(request, AmzDate, out string canonicalRequest, out _);

        Assert.EndsWith("\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e", canonicalRequest, StringComparison.Ordinal);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            authorization);
    }

    [Fact]
    public void SigningKey_MatchesAwsDerivationExample()
    {
        // The key-derivation example of the SigV4 documentation (IAM, 2012-02-15).
        var signer = new SigV4Signer(AccessKey, SecretKey, "us-east-1", "iam");
        Assert.Equal("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", Convert.ToHexStringLower(signer.SigningKey("20120215")));
    }

    [Fact]
    public void Sign_ReturnsDateAndAuthorizationHeaders_ForTheGivenTime()
    {
        var request = new SigV4Request("GET", "/", "", [s_host], ReadOnlyMemory<byte>.Empty);
        IReadOnlyList<KeyValuePair<string, string>> headers = Signer().Sign(request, new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        Assert.Equal(new KeyValuePair<string, string>("X-Amz-Date", AmzDate), headers[0]);
        Assert.Equal("Authorization", headers[^1].Key);
        Assert.EndsWith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", headers[^1].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionToken_IsSignedAndReturned()
    {
        var signer = new SigV4Signer(AccessKey, SecretKey, "us-east-1", "service", sessionToken: "token");
        var request = new SigV4Request("GET", "/", "", [s_host], ReadOnlyMemory<byte>.Empty);
        IReadOnlyList<KeyValuePair<string, string>> headers = signer.Sign(request, new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        Assert.Contains(new KeyValuePair<string, string>("X-Amz-Security-Token", "token"), headers);
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", headers[^1].Value, StringComparison.Ordinal);
    }
}
