using Microsoft.AspNetCore.Http;

namespace Ferry.Aws.Auth;

/// <summary>
/// The parts of an AWS Signature Version 4 signature, from the <c>Authorization</c> header
/// (<c>AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=...</c>)
/// or from a presigned URL's <c>X-Amz-Credential</c>, <c>X-Amz-SignedHeaders</c> and <c>X-Amz-Signature</c>.
/// </summary>
/// <remarks>
/// Ferry parses signatures to learn who is calling and which service and region they meant; it does not verify
/// them. A request without a signature, or with one it cannot parse, is served as unsigned.
/// </remarks>
internal sealed class SigV4Authorization
{
    /// <summary>The only signing algorithm of SigV4 that AWS SDKs send to these services.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    private SigV4Authorization(string accessKeyId, string date, string region, string service, string signedHeaders, string signature)
    {
        AccessKeyId = accessKeyId;
        Date = date;
        Region = region;
        Service = service;
        SignedHeaders = signedHeaders;
        Signature = signature;
    }

    public string AccessKeyId { get; }

    /// <summary>The credential scope's date, <c>yyyyMMdd</c>.</summary>
    public string Date { get; }

    public string Region { get; }

    /// <summary>The credential scope's service: <c>sqs</c>, <c>sns</c>, <c>kinesis</c>.</summary>
    public string Service { get; }

    /// <summary>The signed header names, semicolon-separated, as sent.</summary>
    public string SignedHeaders { get; }

    public string Signature { get; }

    /// <summary>The request's signature from its Authorization header or, failing that, its presigned query; null if unsigned.</summary>
    public static SigV4Authorization? FromRequest(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is not null && TryParse(header, out var fromHeader))
        {
            return fromHeader;
        }

        var query = request.Query;
        if (query.TryGetValue("X-Amz-Credential", out var credential) && credential.Count > 0)
        {
            return FromParts(credential[0], query["X-Amz-SignedHeaders"].ToString(), query["X-Amz-Signature"].ToString());
        }

        return null;
    }

    /// <summary>Parses an <c>Authorization</c> header value; false for any other scheme or a malformed value.</summary>
    public static bool TryParse(string header, out SigV4Authorization? authorization)
    {
        authorization = null;
        ReadOnlySpan<char> rest = header.AsSpan().Trim();
        if (!rest.StartsWith(Algorithm, StringComparison.Ordinal) || rest.Length == Algorithm.Length || rest[Algorithm.Length] != ' ')
        {
            return false;
        }

        rest = rest[(Algorithm.Length + 1)..];
        string? credential = null, signedHeaders = null, signature = null;
        while (!rest.IsEmpty)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> part = (comma < 0 ? rest : rest[..comma]).Trim();
            rest = comma < 0 ? default : rest[(comma + 1)..];
            int equals = part.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            ReadOnlySpan<char> name = part[..equals];
            string value = part[(equals + 1)..].ToString();
            if (name.SequenceEqual("Credential"))
            {
                credential = value;
            }
            else if (name.SequenceEqual("SignedHeaders"))
            {
                signedHeaders = value;
            }
            else if (name.SequenceEqual("Signature"))
            {
                signature = value;
            }
        }

        authorization = credential is null ? null : FromParts(credential, signedHeaders ?? "", signature ?? "");
        return authorization is not null;
    }

    /// <summary>A credential is <c>AKID/date/region/service/aws4_request</c>; anything else is not SigV4.</summary>
    private static SigV4Authorization? FromParts(string? credential, string signedHeaders, string signature)
    {
        if (credential is null)
        {
            return null;
        }

        string[] scope = credential.Split('/');
        if (scope.Length != 5 || scope[0].Length == 0 || !string.Equals(scope[4], "aws4_request", StringComparison.Ordinal))
        {
            return null;
        }

        return new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], signedHeaders, signature);
    }
}
