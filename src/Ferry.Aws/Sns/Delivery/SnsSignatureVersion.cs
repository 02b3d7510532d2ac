namespace Ferry.Aws.Sns.Delivery;

/// <summary>The SignatureVersion topic attribute: how SNS signs the messages it delivers.</summary>
/// <remarks>The values are the attribute's and the envelope's <c>SignatureVersion</c>: never renumber them.</remarks>
public enum SnsSignatureVersion
{
    /// <summary>SHA1withRSA, SNS's default.</summary>
    V1 = 1,

    /// <summary>SHA256withRSA.</summary>
    V2 = 2,
}
