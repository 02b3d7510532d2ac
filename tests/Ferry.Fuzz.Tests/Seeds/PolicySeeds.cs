using System.Text;
using Ferry.Fuzz.Tests.Fuzzing;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>SNS filter policies with messages to match, and delivery policies of topics and subscriptions.</summary>
internal static class PolicySeeds
{
    /// <summary>A filter input: the policy, NUL, the message body, then NUL-separated attributes <c>name|DataType|value</c>.</summary>
    private static byte[] Filter(string policy, string body, params string[] attributes) =>
        Encoding.UTF8.GetBytes(string.Join('\0', [policy, body, .. attributes]));

    public static readonly byte[][] Filters =
    [
        Filter("""{"store":["fans","shop"],"n":[{"numeric":[">",0,"<=",150]}]}""", "x", "store|String|fans", "n|Number|12.5"),
        Filter("""{"s":[{"anything-but":["rugby","tennis"]}],"t":[{"anything-but":{"prefix":"order-"}}]}""", "x", "s|String|golf", "t|String|order-1"),
        Filter("""{"s":[{"prefix":"bas"},{"suffix":".png"},{"equals-ignore-case":"ABC"},{"wildcard":"a*b*c"}]}""", "x", "s|String|abc"),
        Filter("""{"ip":[{"cidr":"10.0.0.0/24"},{"cidr":"2001:db8::/32"}],"e":[{"exists":false}]}""", "x", "ip|String|10.0.0.7"),
        Filter("""{"l":["a",1,true,null]}""", "x", "l|String.Array|[\"a\",1,true,null,[2],{\"k\":3}]", "b|Binary|AAEC"),
        Filter("""{"$or":[{"a":["x"]},{"b":[{"numeric":["=",3e2]}]}],"c":[{"exists":true}]}""", "x", "b|Number|300", "c|Number.float|1"),
        Filter("""{"a":{"b":[{"prefix":"x"}],"c":{"d":[{"numeric":["<",5]}]}},"arr":[1,2,3]}""",
            """{"a":{"b":"xyz","c":{"d":[1,2,[3,4]]}},"arr":[3],"a.b":"x"}"""),
        Filter("""{"detail":{"$or":[{"state":["on"]},{"count":[{"numeric":[">=",1e6]}]}]},"z":[{"anything-but":[100,500]}]}""",
            """{"detail":{"state":"off","count":1000001},"z":101,"t":true,"n":null}"""),
        Filter("""{"k":[{"anything-but":{"suffix":"-x"}},{"anything-but":{"equals-ignore-case":["A","b"]}},{"anything-but":{"wildcard":"*q*"}}]}""",
            """{"k":"a-x"}""", "k|String|B"),
    ];

    public static readonly Grammar FilterGrammar = Grammar.Of(
        [
            "\"numeric\"", "\"prefix\"", "\"suffix\"", "\"anything-but\"", "\"exists\"", "\"cidr\"", "\"equals-ignore-case\"", "\"wildcard\"",
            "\"$or\"", "\">\"", "\">=\"", "\"<\"", "\"<=\"", "\"=\"", "[", "]", "{", "}", ":", ",", "\"*\"", "\"**\"", "\"\\\\*\"",
            "\"10.0.0.0/8\"", "\"::/0\"", "\"::ffff:1.2.3.4/128\"", "/33", "/129", "|String|", "|Number|", "|String.Array|", "|Binary|", "\0",
            "1e309", "-0", "1.0000001", "\"\\uD800\"", "\"\\u0000\"",
        ],
        Grammar.JsonNestings,
        300 * 1024);

    public static readonly byte[][] DeliveryPolicies =
    [
        .. new[]
        {
            """{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,"backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10},"requestPolicy":{"headerContentType":"application/json"}}""",
            """{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":4,"backoffFunction":"GEOMETRIC"},"disableSubscriptionOverrides":true,"defaultThrottlePolicy":{"maxReceivesPerSecond":3},"defaultRequestPolicy":{"headerContentType":"text/xml"}}}""",
            """{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,"guaranteed":false}""",
            """{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":3600,"numRetries":100,"backoffFunction":"arithmetic"},"defaultSicklyRetryPolicy":null}}""",
            """{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0}}""",
            "{}",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    public static readonly Grammar DeliveryGrammar = Grammar.Of(
        [
            "\"healthyRetryPolicy\"", "\"sicklyRetryPolicy\"", "\"throttlePolicy\"", "\"requestPolicy\"", "\"http\"", "\"defaultHealthyRetryPolicy\"",
            "\"disableSubscriptionOverrides\"", "\"defaultThrottlePolicy\"", "\"defaultRequestPolicy\"", "\"minDelayTarget\"", "\"maxDelayTarget\"",
            "\"numRetries\"", "\"numNoDelayRetries\"", "\"numMinDelayRetries\"", "\"numMaxDelayRetries\"", "\"backoffFunction\"",
            "\"maxReceivesPerSecond\"", "\"headerContentType\"", "\"linear\"", "\"arithmetic\"", "\"geometric\"", "\"exponential\"",
            "\"text/plain\"", "\"application/json\"", "true", "false", "null", "1.5", "3600", "3601", "100", "101",
        ],
        Grammar.JsonNestings,
        64 * 1024);
}
