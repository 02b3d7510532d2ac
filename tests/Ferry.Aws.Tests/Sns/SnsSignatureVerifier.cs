using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Ferry.Aws.Tests.Sns;

/// <summary>
/// Verifies a delivered SNS message the way receivers do (AWS's documented procedure, as SDK validators implement
/// it): parse the JSON body, pick the signed fields for its Type, rebuild "Name\nvalue\n" for each, and check the
/// Signature with the certificate's public key, SHA1withRSA for SignatureVersion 1 and SHA256withRSA for 2. It
/// deliberately shares no code with the signing side.
/// </summary>
internal static class SnsSignatureVerifier
{
    private static readonly string[] NotificationFields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"];
    private static readonly string[] ConfirmationFields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];

    public static bool Verify(string json, string certificatePem)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string type = root.GetProperty("Type").GetString()!;
        var fields = type == "Notification" ? NotificationFields : ConfirmationFields;
        var text = new StringBuilder();
        foreach (var field in fields)
        {
            if (root.TryGetProperty(field, out var value))
            {
                text.Append(field).Append('\n').Append(value.GetString()).Append('\n');
            }
            else if (field != "Subject")
            {
                return false;
            }
        }

        var hash = root.GetProperty("SignatureVersion").GetString() switch
        {
            "1" => HashAlgorithmName.SHA1,
            "2" => HashAlgorithmName.SHA256,
            _ => throw new InvalidDataException("unknown SignatureVersion"),
        };
        byte[] signature = Convert.FromBase64String(root.GetProperty("Signature").GetString()!);
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var rsa = certificate.GetRSAPublicKey()!;
        return rsa.VerifyData(Encoding.UTF8.GetBytes(text.ToString()), signature, hash, RSASignaturePadding.Pkcs1);
    }
}
