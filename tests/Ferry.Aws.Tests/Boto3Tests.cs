using System.Diagnostics;
using Ferry.Aws.Sqs;

namespace Ferry.Aws.Tests;

/// <summary>The real boto3 (JSON protocol) against the protocol layer: botocore must parse results and errors.</summary>
public class Boto3Tests : IClassFixture<SqsTestServer>
{
    private readonly SqsTestServer _server;

    public Boto3Tests(SqsTestServer server)
    {
        _server = server;
    }

    private static bool Boto3Available()
    {
        try
        {
            var (code, _) = RunPython("import boto3", TimeSpan.FromSeconds(20));
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Code, string Output) RunPython(string script, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 did not finish");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Boto3_ParsesResultsAndErrors()
    {
        if (!Boto3Available())
        {
            return; // boto3 is not installed here; the loopback tests still cover the wire format.
        }

        _server.Service.Respond = (action, request) => action switch
        {
            "SendMessage" => new SendMessageResult
            {
                MessageId = "m-1",
                MD5OfMessageBody = SqsMd5.OfBody(((SendMessageRequest)request).MessageBody!),
                MD5OfMessageAttributes = SqsMd5.OfMessageAttributes(((SendMessageRequest)request).MessageAttributes),
            },
            "ReceiveMessage" => new ReceiveMessageResult
            {
                Messages =
                [
                    new Message
                    {
                        MessageId = "m-1", ReceiptHandle = "rh", Body = "a\r\nb", MD5OfBody = SqsMd5.OfBody("a\r\nb"),
                        MessageAttributes = new() { ["n"] = new() { DataType = "Number", StringValue = "7" } },
                        MD5OfMessageAttributes = SqsMd5.OfMessageAttributes(new Dictionary<string, MessageAttributeValue> { ["n"] = new() { DataType = "Number", StringValue = "7" } }),
                    },
                ],
            },
            "GetQueueUrl" => SqsErrors.QueueDoesNotExist(),
            "PurgeQueue" => SqsErrors.PurgeQueueInProgress("q"),
            _ => null,
        };

        string script = $$$"""
            import boto3, botocore
            c = boto3.client('sqs', endpoint_url='{{{_server.Address.ToString().TrimEnd('/')}}}', region_name='us-east-1',
                             aws_access_key_id='x', aws_secret_access_key='x',
                             config=botocore.config.Config(retries={'max_attempts': 1}))
            r = c.send_message(QueueUrl='http://h/1/q', MessageBody='hello',
                               MessageAttributes={'s': {'DataType': 'String', 'StringValue': 'v'},
                                                  'b': {'DataType': 'Binary', 'BinaryValue': b'\x00\x01'}})
            assert r['MessageId'] == 'm-1', r
            r = c.receive_message(QueueUrl='http://h/1/q', MessageAttributeNames=['All'])
            m = r['Messages'][0]
            assert m['Body'] == 'a\r\nb', m
            assert m['MessageAttributes']['n'] == {'DataType': 'Number', 'StringValue': '7'}, m
            try:
                c.get_queue_url(QueueName='nope')
                raise SystemExit('no error')
            except c.exceptions.QueueDoesNotExist as e:
                assert e.response['Error']['Code'] == 'AWS.SimpleQueueService.NonExistentQueue', e.response
                assert e.response['Error']['Message'] == 'The specified queue does not exist.', e.response
                assert e.response['ResponseMetadata']['HTTPStatusCode'] == 400
            try:
                c.purge_queue(QueueUrl='http://h/1/q')
                raise SystemExit('no error')
            except botocore.exceptions.ClientError as e:
                assert e.response['Error']['Code'] == 'AWS.SimpleQueueService.PurgeQueueInProgress', e.response
                assert e.response['ResponseMetadata']['HTTPStatusCode'] == 400
            try:
                c.delete_message_batch(QueueUrl='http://h/1/q', Entries=[{'Id': 'a', 'ReceiptHandle': 'r'}, {'Id': 'a', 'ReceiptHandle': 'r'}])
                raise SystemExit('no error')
            except c.exceptions.BatchEntryIdsNotDistinct as e:
                assert e.response['Error']['Code'] == 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', e.response
            print('ok')
            """;
        var (code, output) = RunPython(script, TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output);
        Assert.Contains("ok", output, StringComparison.Ordinal);
    }
}
