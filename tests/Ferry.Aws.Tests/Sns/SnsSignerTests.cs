using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Aws.Sns.Delivery;

namespace Ferry.Aws.Tests.Sns;

public sealed class SnsSignerTests : IDisposable
{
    private const string TopicArn = "arn:aws:sns:us-east-1:000000000000:orders";
    private const string SubscriptionArn = TopicArn + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55";
    private const string CertUrl = "http://localhost:4566/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";

    private static readonly DateTimeOffset Published = new(2024, 3, 9, 14, 5, 7, 123, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ferry-sns-signer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static SnsNotification Notification(string? subject = "Order shipped") => new(
        TopicArn, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", subject, "{\"order\":\"42\",\"note\":\"héllo 🚀 <b>&</b>\"}\nline two", Published,
        [new SnsMessageAttribute("kind", "String", "shipment")]);

    private static SnsConfirmation Confirmation(SnsConfirmationType type) => new(
        type, TopicArn, "165545c9-2a5c-472c-8df2-7ff2be2b3b1b", "2336412f37fb687f5d51e6e241d09c80",
        type == SnsConfirmationType.SubscriptionConfirmation ? SnsMessages.SubscriptionConfirmationText(TopicArn) : SnsMessages.UnsubscribeConfirmationText(SubscriptionArn),
        SnsUrls.Subscribe("http://localhost:4566", TopicArn, "2336412f37fb687f5d51e6e241d09c80"), Published);

    private static string SignedNotification(SnsSigner signer, SnsSignatureVersion version, string? subject = "Order shipped")
    {
        var notification = Notification(subject);
        var signature = SnsMessages.Sign(signer, notification, version, CertUrl);
        return SnsMessages.NotificationString(notification, SnsUrls.Unsubscribe("http://localhost:4566", SubscriptionArn), signature);
    }

    private static string SignedConfirmation(SnsSigner signer, SnsConfirmationType type, SnsSignatureVersion version)
    {
        var confirmation = Confirmation(type);
        return SnsMessages.ConfirmationString(confirmation, SnsMessages.Sign(signer, confirmation, version, CertUrl));
    }

    private static string With(string json, string field, string? value)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        if (value is null)
        {
            node.Remove(field);
        }
        else
        {
            node[field] = value;
        }

        return node.ToJsonString();
    }

    [Theory]
    [InlineData(SnsSignatureVersion.V1, null)]
    [InlineData(SnsSignatureVersion.V2, null)]
    [InlineData(SnsSignatureVersion.V1, "Order shipped")]
    [InlineData(SnsSignatureVersion.V2, "Order shipped")]
    public void Notification_VerifiesAsReceiversVerify(SnsSignatureVersion version, string? subject)
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        var json = SignedNotification(signer, version, subject);
        Assert.Equal(((int)version).ToString(System.Globalization.CultureInfo.InvariantCulture), JsonNode.Parse(json)!["SignatureVersion"]!.GetValue<string>());
        Assert.True(SnsSignatureVerifier.Verify(json, signer.CertificatePem));
    }

    [Theory]
    [InlineData("SubscriptionConfirmation", SnsSignatureVersion.V1)]
    [InlineData("SubscriptionConfirmation", SnsSignatureVersion.V2)]
    [InlineData("UnsubscribeConfirmation", SnsSignatureVersion.V1)]
    [InlineData("UnsubscribeConfirmation", SnsSignatureVersion.V2)]
    public void Confirmation_VerifiesAsReceiversVerify(string type, SnsSignatureVersion version)
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        var json = SignedConfirmation(signer, Enum.Parse<SnsConfirmationType>(type), version);
        Assert.Equal(type, JsonNode.Parse(json)!["Type"]!.GetValue<string>());
        Assert.True(SnsSignatureVerifier.Verify(json, signer.CertificatePem));
    }

    [Theory]
    [InlineData("Message")]
    [InlineData("MessageId")]
    [InlineData("Subject")]
    [InlineData("Timestamp")]
    [InlineData("TopicArn")]
    public void Notification_TamperedSignedField_FailsVerification(string field)
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        foreach (var version in new[] { SnsSignatureVersion.V1, SnsSignatureVersion.V2 })
        {
            var json = SignedNotification(signer, version);
            var value = JsonNode.Parse(json)![field]!.GetValue<string>();
            Assert.False(SnsSignatureVerifier.Verify(With(json, field, value + "x"), signer.CertificatePem));
            Assert.False(SnsSignatureVerifier.Verify(With(json, field, value[..^1]), signer.CertificatePem));
        }
    }

    [Fact]
    public void Notification_SubjectRemovedOrAdded_FailsVerification()
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        Assert.False(SnsSignatureVerifier.Verify(With(SignedNotification(signer, SnsSignatureVersion.V1), "Subject", null), signer.CertificatePem));
        Assert.False(SnsSignatureVerifier.Verify(With(SignedNotification(signer, SnsSignatureVersion.V1, subject: null), "Subject", "added"), signer.CertificatePem));
    }

    [Fact]
    public void Notification_TypeChanged_FailsVerification()
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        var json = SignedNotification(signer, SnsSignatureVersion.V2);
        var asConfirmation = With(With(With(json, "Type", "SubscriptionConfirmation"), "Token", "t"), "SubscribeURL", "u");
        Assert.False(SnsSignatureVerifier.Verify(asConfirmation, signer.CertificatePem));
    }

    [Fact]
    public void Notification_UnsignedFieldsChanged_StillVerifies()
    {
        // SNS signs neither UnsubscribeURL nor MessageAttributes: receivers cannot detect changes to them.
        using var signer = SnsSigner.LoadOrCreate(null);
        var json = SignedNotification(signer, SnsSignatureVersion.V1);
        var node = JsonNode.Parse(With(json, "UnsubscribeURL", "https://example.com/"))!.AsObject();
        node["MessageAttributes"] = new JsonObject();
        Assert.True(SnsSignatureVerifier.Verify(node.ToJsonString(), signer.CertificatePem));
    }

    [Theory]
    [InlineData("Message")]
    [InlineData("MessageId")]
    [InlineData("SubscribeURL")]
    [InlineData("Timestamp")]
    [InlineData("Token")]
    [InlineData("TopicArn")]
    public void Confirmation_TamperedSignedField_FailsVerification(string field)
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        foreach (var type in new[] { SnsConfirmationType.SubscriptionConfirmation, SnsConfirmationType.UnsubscribeConfirmation })
        {
            var json = SignedConfirmation(signer, type, SnsSignatureVersion.V1);
            var value = JsonNode.Parse(json)![field]!.GetValue<string>();
            Assert.False(SnsSignatureVerifier.Verify(With(json, field, value + "0"), signer.CertificatePem));
        }
    }

    [Fact]
    public void Confirmation_TypeSwapped_FailsVerification()
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        var json = SignedConfirmation(signer, SnsConfirmationType.SubscriptionConfirmation, SnsSignatureVersion.V2);
        Assert.False(SnsSignatureVerifier.Verify(With(json, "Type", "UnsubscribeConfirmation"), signer.CertificatePem));
    }

    [Fact]
    public void Signature_FromAnotherKey_FailsVerification()
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        using var other = SnsSigner.LoadOrCreate(null);
        Assert.False(SnsSignatureVerifier.Verify(SignedNotification(other, SnsSignatureVersion.V1), signer.CertificatePem));
    }

    [Theory]
    [InlineData(SnsSignatureVersion.V1)]
    [InlineData(SnsSignatureVersion.V2)]
    public void Sign_IsPkcs1OverTheVersionsHash(SnsSignatureVersion version)
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        var text = "Message\nhé\nType\nNotification\n";
        var signature = Convert.FromBase64String(signer.Sign(text, version));
        using var certificate = X509Certificate2.CreateFromPem(signer.CertificatePem);
        using var rsa = certificate.GetRSAPublicKey()!;
        var right = version == SnsSignatureVersion.V1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        var wrong = version == SnsSignatureVersion.V1 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;
        Assert.Equal(256, signature.Length);
        Assert.True(rsa.VerifyData(Encoding.UTF8.GetBytes(text), signature, right, RSASignaturePadding.Pkcs1));
        Assert.False(rsa.VerifyData(Encoding.UTF8.GetBytes(text), signature, wrong, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Sign_LongStringAndManyThreads_AllVerify()
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        using var certificate = X509Certificate2.CreateFromPem(signer.CertificatePem);
        using var rsa = certificate.GetRSAPublicKey()!;
        var texts = Enumerable.Range(0, 64).Select(i => $"Message\n{new string('é', i * 100)}\nType\nNotification\n").ToArray();
        var signatures = new string[texts.Length];
        Parallel.For(0, texts.Length, i => signatures[i] = signer.Sign(texts[i], SnsSignatureVersion.V2));
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.True(rsa.VerifyData(Encoding.UTF8.GetBytes(texts[i]), Convert.FromBase64String(signatures[i]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
    }

    [Fact]
    public void Certificate_IsSelfSignedRsa2048ForSnsWithLongValidity()
    {
        var now = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var signer = SnsSigner.LoadOrCreate(null, new FixedTime(now));
        using var certificate = X509Certificate2.CreateFromPem(signer.CertificatePem);
        using var rsa = certificate.GetRSAPublicKey()!;
        Assert.Equal("CN=sns.amazonaws.com", certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        Assert.Equal(2048, rsa.KeySize);
        Assert.True(certificate.NotBefore.ToUniversalTime() < now.UtcDateTime);
        Assert.True(certificate.NotAfter.ToUniversalTime() > now.UtcDateTime.AddYears(19));
    }

    [Fact]
    public void CertificateFileName_IsTheFirst128BitsOfTheSha256OfTheCertificate()
    {
        using var signer = SnsSigner.LoadOrCreate(null);
        using var certificate = X509Certificate2.CreateFromPem(signer.CertificatePem);
        var expected = Convert.ToHexString(SHA256.HashData(certificate.RawData)).ToLowerInvariant()[..32];
        Assert.Equal($"SimpleNotificationService-{expected}.pem", signer.CertificateFileName);
        Assert.Matches("^SimpleNotificationService-[0-9a-f]{32}\\.pem$", signer.CertificateFileName);
    }

    [Fact]
    public void Ephemeral_EachSignerHasItsOwnKey()
    {
        using var a = SnsSigner.LoadOrCreate(null);
        using var b = SnsSigner.LoadOrCreate(null);
        Assert.NotEqual(a.CertificateFileName, b.CertificateFileName);
    }

    [Fact]
    public void Directory_KeyAndCertificatePersistAcrossLoads()
    {
        string json;
        string pem;
        string name;
        using (var first = SnsSigner.LoadOrCreate(_directory))
        {
            json = SignedNotification(first, SnsSignatureVersion.V1);
            pem = first.CertificatePem;
            name = first.CertificateFileName;
        }

        using var second = SnsSigner.LoadOrCreate(_directory);
        Assert.Equal(pem, second.CertificatePem);
        Assert.Equal(name, second.CertificateFileName);
        Assert.Equal(pem, File.ReadAllText(Path.Combine(_directory, SnsSigner.CertificateFile)));
        Assert.True(SnsSignatureVerifier.Verify(json, second.CertificatePem));
        Assert.True(SnsSignatureVerifier.Verify(SignedNotification(second, SnsSignatureVersion.V2), pem));
        Assert.Equal([SnsSigner.CertificateFile, SnsSigner.KeyFile], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Directory_KeyFileIsPrivateToItsOwner()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var signer = SnsSigner.LoadOrCreate(_directory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, SnsSigner.KeyFile)));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(_directory, SnsSigner.KeyFile)), StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_MissingCertificate_IsIssuedAgainForTheSameKey()
    {
        string json;
        using (var first = SnsSigner.LoadOrCreate(_directory))
        {
            json = SignedNotification(first, SnsSignatureVersion.V1);
        }

        File.Delete(Path.Combine(_directory, SnsSigner.CertificateFile));
        using var second = SnsSigner.LoadOrCreate(_directory);
        Assert.True(SnsSignatureVerifier.Verify(json, second.CertificatePem));
        Assert.True(File.Exists(Path.Combine(_directory, SnsSigner.CertificateFile)));
    }

    [Fact]
    public void Directory_CertificateOfAnotherKey_IsReplaced()
    {
        string json;
        using (var first = SnsSigner.LoadOrCreate(_directory))
        {
            json = SignedNotification(first, SnsSignatureVersion.V1);
        }

        using (var stranger = SnsSigner.LoadOrCreate(null))
        {
            File.WriteAllText(Path.Combine(_directory, SnsSigner.CertificateFile), stranger.CertificatePem);
        }

        using var second = SnsSigner.LoadOrCreate(_directory);
        Assert.True(SnsSignatureVerifier.Verify(json, second.CertificatePem));
    }

    [Fact]
    public void Directory_UnreadableCertificate_IsReplaced()
    {
        using (SnsSigner.LoadOrCreate(_directory))
        {
        }

        File.WriteAllText(Path.Combine(_directory, SnsSigner.CertificateFile), "not a certificate");
        using var signer = SnsSigner.LoadOrCreate(_directory);
        Assert.True(SnsSignatureVerifier.Verify(SignedNotification(signer, SnsSignatureVersion.V2), signer.CertificatePem));
    }

    [Fact]
    public void Directory_UnreadableKey_IsAnErrorNamingTheFile()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, SnsSigner.KeyFile), "garbage");
        var e = Assert.Throws<InvalidDataException>(() => SnsSigner.LoadOrCreate(_directory));
        Assert.Contains(SnsSigner.KeyFile, e.Message, StringComparison.Ordinal);
        Assert.Equal("garbage", File.ReadAllText(Path.Combine(_directory, SnsSigner.KeyFile)));
    }

    [Fact]
    public void Dispose_ThenSign_Throws()
    {
        var signer = SnsSigner.LoadOrCreate(null);
        signer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => signer.Sign("x", SnsSignatureVersion.V1));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
