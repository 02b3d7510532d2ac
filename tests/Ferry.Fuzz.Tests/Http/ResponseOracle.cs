using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Ferry.Fuzz.Tests.Fuzzing;

namespace Ferry.Fuzz.Tests.Http;

/// <summary>
/// Judges an AWS answer: never a server error, nothing logged at Error level, headers Kestrel can send, a body that
/// matches its Content-Length and parses in its protocol (XML, JSON, or CBOR when the request was CBOR).
/// </summary>
internal static class ResponseOracle
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <returns>A signature of the answer: the status and the error code, if any.</returns>
    public static string Check(FuzzRequest request, FuzzResponse response, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new OracleException("logged at Error level:\n" + string.Join("\n", errors));
        }

        if (response.Status is < 200 or >= 500)
        {
            throw new OracleException($"answered {response.Status}: {Describe(response)}");
        }

        foreach (var (name, values) in response.Headers)
        {
            foreach (var value in values)
            {
                if (value is null || value.Any(c => c is < ' ' or > '~'))
                {
                    throw new OracleException($"header {name} has a value Kestrel refuses to send: {value}");
                }
            }
        }

        if (response.Headers.ContentLength is { } length && length != response.Body.Length)
        {
            throw new OracleException($"Content-Length {length} but {response.Body.Length} body bytes");
        }

        var target = request.Header("X-Amz-Target") ?? "";
        var cborRequest = target.StartsWith("Kinesis_20131202.", StringComparison.Ordinal)
            && request.Header("Content-Type")?.StartsWith("application/x-amz-cbor-1.1", StringComparison.OrdinalIgnoreCase) == true;
        var contentType = response.ContentType ?? "";
        if (response.Body.Length == 0)
        {
            // Only routing answers without a body: /health is not an AWS path.
            if (response.Status != 404)
            {
                throw new OracleException($"answered {response.Status} without a body");
            }

            return "404 empty";
        }

        // Each protocol answers in its own format, errors with the header its SDKs read the error type from.
        var expected = target switch
        {
            _ when cborRequest => "application/x-amz-cbor-1.1",
            _ when target.StartsWith("Kinesis_20131202.", StringComparison.Ordinal) => "application/x-amz-json-1.1",
            { Length: > 0 } => "application/x-amz-json-1.0",
            _ => null,
        };
        if (expected is not null && !contentType.StartsWith(expected, StringComparison.Ordinal))
        {
            throw new OracleException($"X-Amz-Target {target} answered with {contentType}");
        }

        if (response.Status >= 400 && expected is not null)
        {
            var errorHeader = expected.EndsWith("1.0", StringComparison.Ordinal) ? "x-amzn-query-error" : "x-amzn-ErrorType";
            if (!response.Headers.ContainsKey(errorHeader))
            {
                throw new OracleException($"error {response.Status} without {errorHeader}: {Describe(response)}");
            }
        }

        try
        {
            if (cborRequest)
            {
                if (!contentType.StartsWith("application/x-amz-cbor-1.1", StringComparison.Ordinal))
                {
                    throw new OracleException($"a CBOR request answered with {contentType}");
                }

                CborCheck.WellFormed(response.Body);
                return $"{response.Status} {response.Headers["x-amzn-ErrorType"]}";
            }

            if (contentType.StartsWith("text/xml", StringComparison.Ordinal))
            {
                var xml = XElement.Parse(StrictUtf8.GetString(response.Body));
                if (response.Status >= 400 && (xml.Name.LocalName != "ErrorResponse" || !xml.Descendants().Any(e => e.Name.LocalName == "Code")))
                {
                    throw new OracleException($"error {response.Status} that is not an ErrorResponse with a Code: {Describe(response)}");
                }

                return $"{response.Status} {xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? xml.Name.LocalName}";
            }

            if (contentType.StartsWith("application/x-amz-json-1.", StringComparison.Ordinal))
            {
                using var json = JsonDocument.Parse(response.Body);
                return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("__type", out var type)
                    ? $"{response.Status} {type}"
                    : $"{response.Status} {target}";
            }
        }
        catch (Exception e) when (e is not OracleException)
        {
            throw new OracleException($"answered {response.Status} with a body that does not parse as {contentType}: {e.Message}\n{Describe(response)}");
        }

        if (contentType.StartsWith("application/x-pem-file", StringComparison.Ordinal) || contentType.StartsWith("text/plain", StringComparison.Ordinal))
        {
            return $"{response.Status} {contentType}";
        }

        throw new OracleException($"answered {response.Status} with Content-Type '{contentType}': {Describe(response)}");
    }

    private static string Describe(FuzzResponse response) => InputText.Escape(response.Body, 400);
}

/// <summary>An oracle's verdict that an answer is wrong.</summary>
internal sealed class OracleException(string message) : Exception(message);
