using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ferry.Bench.Aws;

/// <summary>A request as SigV4 sees it: the parts that enter the canonical request.</summary>
/// <param name="Method">HTTP method, e.g. POST.</param>
/// <param name="Path">Absolute path, not yet percent-encoded (each segment is encoded once, as for every service but S3 with special keys).</param>
/// <param name="Query">Raw query string without '?', possibly empty; parameters may be percent-encoded.</param>
/// <param name="Headers">Headers to sign, including <c>host</c>; <c>x-amz-date</c> is added by the signer.</param>
/// <param name="Body">The request body (hashed into the signature).</param>
/// <param name="PayloadHash">The body's lower-case hex SHA-256 when the caller already has it (a body sent many
/// times); null to hash <paramref name="Body"/>.</param>
internal readonly record struct SigV4Request(
    string Method,
    string Path,
    string Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    string? PayloadHash = null);

/// <summary>
/// AWS Signature Version 4 in header form, as the AWS SDKs sign SQS, SNS and Kinesis requests:
/// canonical request, string to sign, a signing key derived from date, region and service, and an
/// <c>Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c> header.
/// </summary>
internal sealed class SigV4Signer
{
    /// <summary>The algorithm name that starts both the string to sign and the Authorization header.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    private readonly string _accessKeyId;
    private readonly byte[] _secretKey;
    private readonly string _region;
    private readonly string _service;
    private readonly string? _sessionToken;

    // The signing key depends only on the day; cached so that a benchmark signs with one HMAC per request
    // (plus the payload and canonical request hashes) instead of five.
    private string? _cachedDate;
    private byte[]? _cachedKey;

    public SigV4Signer(string accessKeyId, string secretAccessKey, string region, string service, string? sessionToken = null)
    {
        _accessKeyId = accessKeyId;
        _secretKey = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        _region = region;
        _service = service;
        _sessionToken = sessionToken;
    }

    /// <summary>
    /// Signs <paramref name="request"/> at <paramref name="time"/> and returns the headers to add to it:
    /// <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> when there is a session token, and <c>Authorization</c>.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Sign(in SigV4Request request, DateTimeOffset time)
    {
        string amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string authorization = Authorization(request, amzDate, out _, out _);
        var added = new List<KeyValuePair<string, string>>(3) { new("X-Amz-Date", amzDate) };
        if (_sessionToken is not null)
        {
            added.Add(new("X-Amz-Security-Token", _sessionToken));
        }

        added.Add(new("Authorization", authorization));
        return added;
    }

    /// <summary>The Authorization header value; also returns the intermediate strings for verification.</summary>
    internal string Authorization(in SigV4Request request, string amzDate, out string canonicalRequest, out string stringToSign)
    {
        string date = amzDate[..8];
        string scope = $"{date}/{_region}/{_service}/aws4_request";

        var headers = new List<KeyValuePair<string, string>>(request.Headers.Count + 2);
        foreach (KeyValuePair<string, string> header in request.Headers)
        {
            headers.Add(new(header.Key.ToLowerInvariant(), header.Value));
        }

        headers.Add(new("x-amz-date", amzDate));
        if (_sessionToken is not null)
        {
            headers.Add(new("x-amz-security-token", _sessionToken));
        }

        string signedHeaders;
        canonicalRequest = CanonicalRequest(request, headers, out signedHeaders);
        stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";
        byte[] signature = HMACSHA256.HashData(SigningKey(date), Encoding.UTF8.GetBytes(stringToSign));
        return $"{Algorithm} Credential={_accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={Convert.ToHexStringLower(signature)}";
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    internal byte[] SigningKey(string date)
    {
        if (_cachedDate == date && _cachedKey is not null)
        {
            return _cachedKey;
        }

        byte[] key = HMACSHA256.HashData(_secretKey, Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(_region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(_service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        _cachedKey = key;
        _cachedDate = date;
        return key;
    }

    internal static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static string CanonicalRequest(in SigV4Request request, List<KeyValuePair<string, string>> headers, out string signedHeaders)
    {
        var text = new StringBuilder(256);
        text.Append(request.Method).Append('\n');
        text.Append(CanonicalUri(request.Path)).Append('\n');
        text.Append(CanonicalQuery(request.Query)).Append('\n');

        // Header names sorted by ordinal; repeated names joined with commas in the order given.
        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> header in headers)
        {
            string value = CollapseSpaces(header.Value);
            merged[header.Key] = merged.TryGetValue(header.Key, out string? existing) ? existing + "," + value : value;
        }

        foreach (KeyValuePair<string, string> header in merged)
        {
            text.Append(header.Key).Append(':').Append(header.Value).Append('\n');
        }

        signedHeaders = string.Join(';', merged.Keys);
        text.Append('\n').Append(signedHeaders).Append('\n');
        text.Append(request.PayloadHash ?? HexSha256(request.Body.Span));
        return text.ToString();
    }

    private static string CanonicalUri(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        string[] segments = path.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = UriEncode(segments[i]);
        }

        return string.Join('/', segments);
    }

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (string part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? part : part[..equals];
            string value = equals < 0 ? string.Empty : part[(equals + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(name)), UriEncode(Uri.UnescapeDataString(value))));
        }

        pairs.Sort((a, b) =>
        {
            int byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding as SigV4 defines it: unreserved characters kept, everything else %XX in upper case.</summary>
    internal static string UriEncode(string value)
    {
        var text = new StringBuilder(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (Rune rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '-' or '_' or '.' or '~'))
            {
                text.Append((char)rune.Value);
                continue;
            }

            int length = rune.EncodeToUtf8(utf8);
            for (int i = 0; i < length; i++)
            {
                text.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        string trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var text = new StringBuilder(trimmed.Length);
        bool previousSpace = false;
        foreach (char c in trimmed)
        {
            if (c == ' ' && previousSpace)
            {
                continue;
            }

            previousSpace = c == ' ';
            text.Append(c);
        }

        return text.ToString();
    }
}
