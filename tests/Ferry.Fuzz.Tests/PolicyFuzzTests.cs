using System.Text;
using Ferry.Aws.Sns.Delivery;
using Ferry.Engine.Queues;
using Ferry.Engine.Topics.Filtering;
using Ferry.Fuzz.Tests.Fuzzing;
using Ferry.Fuzz.Tests.Seeds;
using Xunit.Abstractions;

namespace Ferry.Fuzz.Tests;

/// <summary>SNS's two policy languages, called directly: a policy is refused with SNS's error or it works.</summary>
public sealed class PolicyFuzzTests(ITestOutputHelper output)
{
    /// <summary>Each input is parsed in both scopes and split into parts by the harness: twice a parser's share.</summary>
    private static readonly FuzzLimits FilterLimits = FuzzLimits.Parser with { AllocationPerByte = 2 * FuzzLimits.Parser.AllocationPerByte };

    [Fact]
    public Task FilterPolicy_MutatedPoliciesAndMessages_ParseOrRefuseAndMatchWithoutThrowing() =>
        FuzzRunner.RunAsync(new FuzzTarget("filter-policy", PolicySeeds.Filters, PolicySeeds.FilterGrammar, FilterLimits, 10000), input =>
        {
            var parts = Encoding.UTF8.GetString(input).Split('\0');
            var attributes = new List<MessageAttribute>();
            foreach (var text in parts.Skip(2))
            {
                var fields = text.Split('|', 3);
                if (fields.Length == 3)
                {
                    attributes.Add(new MessageAttribute(fields[0], fields[1], fields[1].StartsWith("Binary", StringComparison.Ordinal) ? null : fields[2],
                        fields[1].StartsWith("Binary", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(fields[2]) : null));
                }
            }

            var message = new FilterMessage(attributes, parts.Length > 1 ? parts[1] : "");
            var signature = new StringBuilder();
            foreach (var scope in (ReadOnlySpan<FilterPolicyScope>)[FilterPolicyScope.MessageAttributes, FilterPolicyScope.MessageBody])
            {
                FilterPolicy policy;
                try
                {
                    policy = FilterPolicy.Parse(parts[0], scope);
                }
                catch (FilterPolicyException e)
                {
                    signature.Append(e.Message.Length > 24 ? e.Message[..24] : e.Message).Append(';');
                    continue;
                }

                var matched = policy.Matches(message);
                Assert.Equal(matched, policy.Matches(message));
                signature.Append(matched).Append(';');
            }

            return ValueTask.FromResult<FuzzOutcome>(signature.ToString());
        }, output.WriteLine);

    [Fact]
    public Task DeliveryPolicy_MutatedPolicies_ParseOrRefuseAndScheduleWithoutThrowing() =>
        FuzzRunner.RunAsync(new FuzzTarget("delivery-policy", PolicySeeds.DeliveryPolicies, PolicySeeds.DeliveryGrammar, FuzzLimits.Parser, 10000), input =>
        {
            var json = Encoding.UTF8.GetString(input);
            var topicOk = SnsDeliveryPolicy.TryParseTopic(json, out var topic, out var topicError);
            var subscriptionOk = SnsDeliveryPolicy.TryParseSubscription(json, out var subscription, out var subscriptionError);
            Assert.True(topicOk || topicError is { Length: > 0 }, "a refused topic policy must say why");
            Assert.True(subscriptionOk || subscriptionError is { Length: > 0 }, "a refused subscription policy must say why");
            var effective = SnsDeliveryPolicy.Resolve(topic, subscription);
            var schedule = effective.Schedule;
            var total = TimeSpan.Zero;
            for (var attempt = 1; attempt <= schedule.TotalAttempts; attempt++)
            {
                var delay = schedule.DelayBefore(attempt);
                Assert.True(delay >= TimeSpan.Zero && delay <= TimeSpan.FromHours(1), $"retry {attempt} waits {delay}");
                total += delay;
            }

            Assert.True(total <= TimeSpan.FromHours(1), $"the retries wait {total} in all");
            return ValueTask.FromResult<FuzzOutcome>($"{topicOk}{subscriptionOk} {topicError?[..Math.Min(20, topicError.Length)]} {subscriptionError?[..Math.Min(20, subscriptionError.Length)]}");
        }, output.WriteLine);
}
