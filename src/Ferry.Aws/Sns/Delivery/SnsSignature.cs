namespace Ferry.Aws.Sns.Delivery;

/// <summary>The three signature fields of an envelope: SignatureVersion, Signature and SigningCertURL.</summary>
/// <param name="Version">The signature version written as SignatureVersion.</param>
/// <param name="Signature">The base64 RSA signature of the message's string to sign.</param>
/// <param name="SigningCertUrl">Where receivers fetch the certificate; see <see cref="SnsUrls.SigningCertificate"/>.</param>
/// <remarks>
/// A notification's signature covers the same fields for every subscription of a topic (the UnsubscribeURL is not
/// signed), so one signature per published message serves all of its HTTP/S and SQS deliveries.
/// </remarks>
internal sealed record SnsSignature(SnsSignatureVersion Version, string Signature, string SigningCertUrl)
{
    /// <summary>The SignatureVersion field: "1" or "2".</summary>
    public string VersionText => Version == SnsSignatureVersion.V2 ? "2" : "1";
}
