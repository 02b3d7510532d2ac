using System.Text;
using Ferry.Aws.Auth;
using Ferry.Fuzz.Tests.Fuzzing;
using Xunit.Abstractions;

namespace Ferry.Fuzz.Tests;

/// <summary>The SigV4 Authorization header, parsed directly (the HTTP targets send it mutated too).</summary>
public sealed class SigV4FuzzTests(ITestOutputHelper output)
{
    private static readonly byte[][] Seeds =
    [
        .. new[]
        {
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/kinesis/aws4_request,SignedHeaders=host,Signature=00",
            "AWS4-HMAC-SHA256 Signature=ab, Credential=A/20240101/us-east-1/sns/aws4_request",
            "AWS AKIDEXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=",
            "Bearer abc",
        }.Select(Encoding.ASCII.GetBytes),
    ];

    private static readonly Grammar Grammar = Grammar.Of(
        ["AWS4-HMAC-SHA256 ", "Credential=", "SignedHeaders=", "Signature=", "/", ",", ", ", "=", "aws4_request", "sqs", "sns", "kinesis", " "],
        [("Credential=", "")],
        16 * 1024);

    [Fact]
    public Task Authorization_MutatedHeaders_ParseOrAreIgnored() =>
        FuzzRunner.RunAsync(new FuzzTarget("sigv4", Seeds, Grammar, FuzzLimits.Parser, 15000), input =>
        {
            // Kestrel hands over header values of printable ASCII only.
            var header = new string([.. Encoding.Latin1.GetString(input).Where(c => c is >= ' ' and < '\u007f' or '\t')]);
            if (!SigV4Authorization.TryParse(header, out var auth))
            {
                Assert.Null(auth);
                return ValueTask.FromResult<FuzzOutcome>("unsigned");
            }

            Assert.NotNull(auth);
            Assert.NotEmpty(auth.AccessKeyId);
            // (Assert.DoesNotContain would treat the strings as collections and allocate for its message.)
            Assert.False((auth.AccessKeyId + auth.Date + auth.Region + auth.Service).Contains('/', StringComparison.Ordinal), "a scope part holds a slash");
            return ValueTask.FromResult<FuzzOutcome>("signed " + auth.Service);
        }, output.WriteLine);
}
