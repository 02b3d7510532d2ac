namespace Ferry.Aws.Sns.Delivery;

/// <summary>The media types a delivery policy's headerContentType may name.</summary>
/// <remarks>
/// The media types AWS's delivery-policy documentation lists for HTTP/S (its older pages name only text/plain,
/// application/json and application/xml, all three included here). A value may carry parameters after the media type, as the default
/// <c>text/plain; charset=UTF-8</c> does (AWS returns it so in EffectiveDeliveryPolicy, and tools write it back);
/// only the media type is checked, without regard to case, and the value is sent as written.
/// </remarks>
internal static class SnsContentTypes
{
    /// <summary>The allowed media types, in the order error messages list them.</summary>
    public static IReadOnlyList<string> Allowed { get; } =
    [
        "application/atom+xml",
        "application/json",
        "application/octet-stream",
        "application/soap+xml",
        "application/x-www-form-urlencoded",
        "application/xhtml+xml",
        "application/xml",
        "text/css",
        "text/csv",
        "text/html",
        "text/plain",
        "text/xml",
    ];

    /// <summary>True when the media type of <paramref name="contentType"/> (before any <c>;</c>) is allowed.</summary>
    public static bool IsAllowed(string contentType)
    {
        int semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType.AsSpan() : contentType.AsSpan(0, semicolon)).Trim();
        foreach (var allowed in Allowed)
        {
            if (mediaType.Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
