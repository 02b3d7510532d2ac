using Ferry.Fuzz.Tests.Fuzzing;
using Ferry.Fuzz.Tests.Http;
using Ferry.Fuzz.Tests.Seeds;
using Xunit.Abstractions;

namespace Ferry.Fuzz.Tests;

/// <summary>Mutated requests of every AWS face through the real ASP.NET Core pipeline into a real broker.</summary>
public sealed class AwsFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public Task SqsJson_MutatedRequests_AnswerWellFormedErrorsOrResults() =>
        HttpFuzz.RunAsync(new FuzzTarget("sqs-json", SqsSeeds.Json, SqsSeeds.JsonGrammar, FuzzLimits.Http, 4000), output.WriteLine);

    [Fact]
    public Task SqsQuery_MutatedRequests_AnswerWellFormedErrorsOrResults() =>
        HttpFuzz.RunAsync(new FuzzTarget("sqs-query", SqsSeeds.QueryRequests, SqsSeeds.QueryGrammar, FuzzLimits.Http, 4000), output.WriteLine);

    [Fact]
    public Task SnsQuery_MutatedRequests_AnswerWellFormedErrorsOrResults() =>
        HttpFuzz.RunAsync(new FuzzTarget("sns-query", SnsSeeds.Requests, SnsSeeds.Grammar, FuzzLimits.Http, 4000), output.WriteLine);

    [Fact]
    public Task KinesisJson_MutatedRequests_AnswerWellFormedErrorsOrResults() =>
        HttpFuzz.RunAsync(new FuzzTarget("kinesis-json", KinesisSeeds.JsonRequests, KinesisSeeds.JsonGrammar, FuzzLimits.Http, 4000), output.WriteLine);

    [Fact]
    public Task KinesisCbor_MutatedRequests_AnswerWellFormedCbor() =>
        HttpFuzz.RunAsync(new FuzzTarget("kinesis-cbor", KinesisSeeds.CborRequests, KinesisSeeds.CborGrammar, FuzzLimits.Http, 4000), output.WriteLine);

    /// <summary>Shrinks the sequence file named by FERRY_FUZZ_MINIMIZE (a tool for tests/fuzz.sh; passes when unset).</summary>
    [Fact]
    public async Task MinimizeSequence_WhenAsked()
    {
        if (Environment.GetEnvironmentVariable("FERRY_FUZZ_MINIMIZE") is not { Length: > 0 } file)
        {
            return;
        }

        var inputs = File.ReadAllLines(file).Where(l => l.Length > 0).Select(Convert.FromBase64String).ToList();
        var kept = await SequenceMinimizer.MinimizeAsync(inputs, FuzzLimits.Http.Timeout, output.WriteLine);
        File.WriteAllLines(file + ".min", kept.Select(Convert.ToBase64String));
    }
}
