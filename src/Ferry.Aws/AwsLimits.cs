namespace Ferry.Aws;

/// <summary>Size limits that apply across every AWS face, enforced by the host before a request is read.</summary>
public static class AwsLimits
{
    /// <summary>
    /// The largest request body any AWS face accepts: 8 MiB. Anything larger is refused with 413 from its
    /// Content-Length alone, before a byte of it is read.
    /// </summary>
    /// <remarks>
    /// The largest legitimate request is a Kinesis PutRecords: up to 5 MiB of record data, which base64 inside
    /// JSON inflates by 4/3 to about 6.7 MiB, plus up to 500 partition keys of up to 256 characters and the JSON
    /// around them. SQS's largest batch (1 MiB of payload) can roughly triple under percent-encoding in the Query
    /// protocol, to about 3 MiB. 8 MiB covers both with room for headers of the envelope and nothing more.
    /// </remarks>
    public const long MaxRequestBodyBytes = 8 * 1024 * 1024;
}
