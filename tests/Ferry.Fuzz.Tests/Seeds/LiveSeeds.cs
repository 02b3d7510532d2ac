using System.Text.Json;
using Ferry.Fuzz.Tests.Http;
using static Ferry.Fuzz.Tests.Seeds.AwsSeeds;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>
/// Seeds that only a running host can make: a Kinesis shard iterator (signed with the stream's own key) and an SQS
/// receipt handle of a message in flight, so that mutations reach GetRecords with records to return and the
/// visibility and delete paths of a real message. After the host is recycled they name nothing any more, which
/// exercises the refusals instead.
/// </summary>
/// <remarks>The requests that made them belong to the history a failure is saved with: a receipt handle comes out the
/// same on a fresh host; an iterator does not (its key is random), so GetRecords failures replay as refusals.</remarks>
internal static class LiveSeeds
{
    public static async Task<(byte[][] Seeds, byte[][] Made)> ForAsync(string target, AwsHost host) => target switch
    {
        "kinesis-json" or "kinesis-cbor" => await KinesisAsync(target == "kinesis-cbor", host),
        "sqs-json" or "sqs-query" => await SqsAsync(target == "sqs-query", host),
        _ => ([], []),
    };

    private static async Task<(byte[][], byte[][])> KinesisAsync(bool cbor, AwsHost host)
    {
        var request = Json("Kinesis_20131202.GetShardIterator", "application/x-amz-json-1.1", "kinesis",
            "{\"StreamName\":\"fuzz\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\"}");
        var answer = await host.SendAsync(FuzzRequest.Parse(request));
        using var json = JsonDocument.Parse(answer.Body);
        var body = "{\"ShardIterator\":\"" + json.RootElement.GetProperty("ShardIterator").GetString() + "\",\"Limit\":100}";
        byte[] seed = cbor
            ? FuzzRequest.Format("POST /", [("Content-Type", "application/x-amz-cbor-1.1"), ("X-Amz-Target", "Kinesis_20131202.GetRecords")], CborEncoder.FromJson(body))
            : Json("Kinesis_20131202.GetRecords", "application/x-amz-json-1.1", "kinesis", body);
        return ([seed], [request]);
    }

    private static async Task<(byte[][], byte[][])> SqsAsync(bool query, AwsHost host)
    {
        var request = Json("AmazonSQS.ReceiveMessage", "application/x-amz-json-1.0", "sqs", "{\"QueueUrl\":\"" + QueueUrl + "\",\"VisibilityTimeout\":3600}");
        var answer = await host.SendAsync(FuzzRequest.Parse(request));
        using var json = JsonDocument.Parse(answer.Body);
        var handle = json.RootElement.GetProperty("Messages")[0].GetProperty("ReceiptHandle").GetString()!;
        if (query)
        {
            var common = "&Version=2012-11-05&QueueUrl=" + Uri.EscapeDataString(QueueUrl) + "&ReceiptHandle=" + Uri.EscapeDataString(handle);
            return ([Query("sqs", "Action=ChangeMessageVisibility" + common + "&VisibilityTimeout=60"), Query("sqs", "Action=DeleteMessage" + common)], [request]);
        }

        var target = "{\"QueueUrl\":\"" + QueueUrl + "\",\"ReceiptHandle\":\"" + handle + "\"";
        return (
            [
                Json("AmazonSQS.ChangeMessageVisibility", "application/x-amz-json-1.0", "sqs", target + ",\"VisibilityTimeout\":60}"),
                Json("AmazonSQS.DeleteMessage", "application/x-amz-json-1.0", "sqs", target + "}"),
            ],
            [request]);
    }
}
