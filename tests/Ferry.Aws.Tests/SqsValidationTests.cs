using Ferry.Aws.Sqs;

namespace Ferry.Aws.Tests;

public class SqsValidationTests
{
    private static SqsError ErrorOf(Action action) => Assert.Throws<SqsException>(action).Error;

    private static Dictionary<string, MessageAttributeValue> One(string name, string type, string? text = null, byte[]? binary = null) =>
        new() { [name] = new MessageAttributeValue { DataType = type, StringValue = text, BinaryValue = binary } };

    [Theory]
    [InlineData("a")]
    [InlineData("Entry-1_x")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    public void BatchEntryId_Valid(string id) => Assert.True(SqsValidation.IsValidBatchEntryId(id));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("dot.ted")]
    [InlineData("ünï")]
    [InlineData("012345678901234567890123456789012345678901234567890123456789012345678901234567890")]
    public void BatchEntryId_Invalid(string id) => Assert.False(SqsValidation.IsValidBatchEntryId(id));

    [Fact]
    public void Batch_Empty_IsEmptyBatchRequest()
    {
        Assert.Same(SqsErrors.EmptyBatchRequestShape, ErrorOf(() => SqsValidation.ValidateBatch(new List<DeleteMessageBatchRequestEntry>(), e => e.Id, "DeleteMessageBatchRequestEntry")));
        Assert.Same(SqsErrors.EmptyBatchRequestShape, ErrorOf(() => SqsValidation.ValidateBatch<DeleteMessageBatchRequestEntry>(null, e => e.Id, "DeleteMessageBatchRequestEntry")));
    }

    [Fact]
    public void Batch_ElevenEntries_IsTooManyEntries()
    {
        var entries = Enumerable.Range(0, 11).Select(i => new DeleteMessageBatchRequestEntry { Id = $"e{i}", ReceiptHandle = "r" }).ToList();
        var e = Assert.Throws<SqsException>(() => SqsValidation.ValidateBatch(entries, x => x.Id, "DeleteMessageBatchRequestEntry"));
        Assert.Same(SqsErrors.TooManyEntriesInBatchRequestShape, e.Error);
        Assert.Equal("Maximum number of entries per request are 10. You have sent 11.", e.Message);
        Assert.Equal("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", e.Error.QueryCode);
    }

    [Fact]
    public void Batch_TenEntries_IsAccepted() =>
        SqsValidation.ValidateBatch(Enumerable.Range(0, 10).Select(i => new DeleteMessageBatchRequestEntry { Id = $"e{i}" }).ToList(), x => x.Id, "E");

    [Fact]
    public void Batch_RepeatedId_IsBatchEntryIdsNotDistinct()
    {
        var e = Assert.Throws<SqsException>(() => SqsValidation.ValidateBatch(
            new List<DeleteMessageBatchRequestEntry> { new() { Id = "a" }, new() { Id = "b" }, new() { Id = "a" } }, x => x.Id, "E"));
        Assert.Same(SqsErrors.BatchEntryIdsNotDistinctShape, e.Error);
        Assert.Equal("Id a repeated.", e.Message);
    }

    [Fact]
    public void Batch_BadId_IsInvalidBatchEntryId() =>
        Assert.Same(SqsErrors.InvalidBatchEntryIdShape, ErrorOf(() => SqsValidation.ValidateBatch(new List<DeleteMessageBatchRequestEntry> { new() { Id = "no way" } }, x => x.Id, "E")));

    [Fact]
    public void Batch_MissingId_IsMissingParameter()
    {
        var e = Assert.Throws<SqsException>(() => SqsValidation.ValidateBatch(new List<DeleteMessageBatchRequestEntry> { new() }, x => x.Id, "DeleteMessageBatchRequestEntry"));
        Assert.Same(SqsErrors.MissingParameterShape, e.Error);
        Assert.Equal("The request must contain the parameter DeleteMessageBatchRequestEntry.1.Id.", e.Message);
    }

    [Theory]
    [InlineData("plain text", -1)]
    [InlineData("tab\tnew\nline\rcr", -1)]
    [InlineData("emoji 🚀 and \uE000 \uFFFD", -1)]
    [InlineData("nul\0", 0)]
    [InlineData("bell\u0007", 7)]
    [InlineData("vt\u000B", 0xB)]
    [InlineData("fffe\uFFFE", 0xFFFE)]
    public void FindInvalidCharacter_ReportsTheFirstOutsideXmlCharacters(string text, int expected) =>
        Assert.Equal(expected, SqsValidation.FindInvalidCharacter(text));

    [Fact]
    public void FindInvalidCharacter_LoneSurrogates()
    {
        // Built in code: attribute arguments cannot carry ill-formed UTF-16.
        Assert.Equal(0xD800, SqsValidation.FindInvalidCharacter("lone" + (char)0xD800 + "x"));
        Assert.Equal(0xDC00, SqsValidation.FindInvalidCharacter("low" + (char)0xDC00));
        Assert.Equal(0xD800, SqsValidation.FindInvalidCharacter("end" + (char)0xD800));
    }

    [Fact]
    public void MessageBody_InvalidCharacter_IsInvalidMessageContents()
    {
        var e = Assert.Throws<SqsException>(() => SqsValidation.ValidateMessageBody("a\u0001b"));
        Assert.Same(SqsErrors.InvalidMessageContentsShape, e.Error);
        Assert.StartsWith("Invalid binary character '#x1' was found in the message body", e.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void MessageBody_Absent_IsMissingParameter(string? body)
    {
        var e = Assert.Throws<SqsException>(() => SqsValidation.ValidateMessageBody(body));
        Assert.Equal("MissingParameter", e.Error.QueryCode);
        Assert.Equal("The request must contain the parameter MessageBody.", e.Message);
    }

    [Fact]
    public void MessageAttributes_Eleven_IsInvalidParameterValue()
    {
        var attributes = Enumerable.Range(0, 11).ToDictionary(i => $"a{i}", _ => new MessageAttributeValue { DataType = "String", StringValue = "v" });
        var e = Assert.Throws<SqsException>(() => SqsValidation.ValidateMessageAttributes(attributes));
        Assert.Equal("InvalidParameterValue", e.Error.QueryCode);
        Assert.Equal("Number of message attributes [11] exceeds the allowed maximum [10].", e.Message);
    }

    [Theory]
    [InlineData("AWS.thing")]
    [InlineData("aws.thing")]
    [InlineData("Amazon.x")]
    [InlineData("AMAZON.x")]
    [InlineData(".lead")]
    [InlineData("trail.")]
    [InlineData("dou..ble")]
    [InlineData("sp ace")]
    [InlineData("star*")]
    [InlineData("")]
    public void MessageAttributeName_Invalid(string name) =>
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One(name, "String", "v"))).QueryCode);

    [Fact]
    public void MessageAttributeName_TooLong() =>
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One(new string('a', 257), "String", "v"))).QueryCode);

    [Theory]
    [InlineData("a.b-c_D9")]
    [InlineData("AWSish")]
    [InlineData("Amazonian")]
    public void MessageAttributeName_Valid(string name) => SqsValidation.ValidateMessageAttributes(One(name, "String", "v"));

    [Theory]
    [InlineData("String")]
    [InlineData("String.json")]
    [InlineData("Number.int")]
    public void DataType_Valid(string type) => SqsValidation.ValidateMessageAttributes(One("n", type, "1"));

    [Theory]
    [InlineData("string")]
    [InlineData("Str")]
    [InlineData("Integer")]
    [InlineData("String.")]
    [InlineData("")]
    public void DataType_Invalid(string type) =>
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", type, "1"))).QueryCode);

    [Fact]
    public void DataType_InvalidPrefix_HasAwsWording()
    {
        var e = Assert.Throws<SqsException>(() => SqsValidation.ValidateMessageAttributes(One("my-attribute", "Text", "v")));
        Assert.Equal("The type of message (user) attribute 'my-attribute' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", e.Message);
    }

    [Fact]
    public void Value_Missing_IsInvalidParameterValue()
    {
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", "String"))).QueryCode);
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", "String", ""))).QueryCode);
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", "Binary"))).QueryCode);
    }

    [Fact]
    public void Value_OfTheWrongField_IsInvalidParameterValue()
    {
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", "Binary", "text"))).QueryCode);
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", "String", binary: [1]))).QueryCode);
        SqsValidation.ValidateMessageAttributes(One("n", "Binary.png", binary: [1]));
    }

    [Fact]
    public void StringValue_InvalidCharacter_IsInvalidParameterValue() =>
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", "String", "\u0002"))).QueryCode);

    [Theory]
    [InlineData("0")]
    [InlineData("-17")]
    [InlineData("+3.25")]
    [InlineData("1e10")]
    [InlineData("1.5E-3")]
    [InlineData(".5")]
    [InlineData("12345678901234567890123456789012345678")]
    [InlineData("1e125")]
    [InlineData("1e-128")]
    [InlineData("0.000")]
    public void Number_Valid(string value)
    {
        Assert.True(SqsValidation.IsValidNumber(value));
        SqsValidation.ValidateMessageAttributes(One("n", "Number", value));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("--1")]
    [InlineData("0x10")]
    [InlineData("123456789012345678901234567890123456789")]
    [InlineData("1e126")]
    [InlineData("1e-129")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Number_Invalid(string value)
    {
        Assert.False(SqsValidation.IsValidNumber(value));
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageAttributes(One("n", "Number", value))).QueryCode);
    }

    [Fact]
    public void SystemAttributes_OnlyAwsTraceHeaderString()
    {
        SqsValidation.ValidateMessageSystemAttributes(One("AWSTraceHeader", "String", "Root=1"));
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageSystemAttributes(One("Other", "String", "x"))).QueryCode);
        Assert.Equal("InvalidParameterValue", ErrorOf(() => SqsValidation.ValidateMessageSystemAttributes(One("AWSTraceHeader", "Number", "1"))).QueryCode);
    }

    [Fact]
    public void Rules_RequireModelledMembers()
    {
        Assert.Equal("The request must contain the parameter QueueUrl.", Assert.Throws<SqsException>(() => SqsRequestRules.Validate(new DeleteQueueRequest())).Message);
        Assert.Equal("The request must contain the parameter QueueName.", Assert.Throws<SqsException>(() => SqsRequestRules.Validate(new CreateQueueRequest())).Message);
        Assert.Equal("The request must contain the parameter ReceiptHandle.", Assert.Throws<SqsException>(() => SqsRequestRules.Validate(new DeleteMessageRequest { QueueUrl = "u" })).Message);
        Assert.Equal("The request must contain the parameter VisibilityTimeout.", Assert.Throws<SqsException>(() => SqsRequestRules.Validate(new ChangeMessageVisibilityRequest { QueueUrl = "u", ReceiptHandle = "r" })).Message);
        Assert.Equal("The request must contain the parameter Attributes.", Assert.Throws<SqsException>(() => SqsRequestRules.Validate(new SetQueueAttributesRequest { QueueUrl = "u" })).Message);
        Assert.Equal("The request must contain the parameter TaskHandle.", Assert.Throws<SqsException>(() => SqsRequestRules.Validate(new CancelMessageMoveTaskRequest())).Message);
        Assert.Equal("The request must contain the parameter SendMessageBatchRequestEntry.2.MessageBody.", Assert.Throws<SqsException>(() => SqsRequestRules.Validate(new SendMessageBatchRequest
        {
            QueueUrl = "u",
            Entries = [new() { Id = "a", MessageBody = "x" }, new() { Id = "b" }],
        })).Message);
        SqsRequestRules.Validate(new ListQueuesRequest());
    }
}
