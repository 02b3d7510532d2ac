namespace Ferry.Aws.Sns;

/// <summary>SNS's documented limits.</summary>
internal static class SnsLimits
{
    /// <summary>A message with its attributes: 256 KiB.</summary>
    public const int MaxMessageBytes = 262_144;

    public const int MaxSubjectLength = 100;

    public const int MaxMessageAttributes = 10;

    public const int MaxBatchEntries = 10;

    public const int MaxTopicNameLength = 256;

    public const int MaxTagsPerResource = 50;

    public const int MaxTagKeyLength = 128;

    public const int MaxTagValueLength = 256;

    public const int PageSize = 100;

    public const int MaxBatchIdLength = 80;

    public const int MaxGroupIdLength = 128;

    public const int MaxDeduplicationIdLength = 128;
}
