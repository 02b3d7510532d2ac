using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Torture.Clients;

/// <summary>An AWS error response: the server answered and refused.</summary>
internal sealed class AwsErrorException(int status, string type, string message)
    : Exception($"HTTP {status} {type}: {message}")
{
    public int Status { get; } = status;

    public string Type { get; } = type;
}

/// <summary>AWS JSON protocols over HttpClient, unsigned (Ferry accepts that): SQS speaks JSON 1.0 with
/// <c>AmazonSQS.&lt;Action&gt;</c>, Kinesis JSON 1.1 with <c>Kinesis_20131202.&lt;Action&gt;</c>.</summary>
internal sealed class AwsJsonClient(HttpClient http)
{
    public Task<JsonElement> SqsAsync(Uri endpoint, string action, JsonObject body, CancellationToken cancellationToken) =>
        CallAsync(endpoint, "AmazonSQS." + action, "application/x-amz-json-1.0", body, cancellationToken);

    public Task<JsonElement> KinesisAsync(Uri endpoint, string action, JsonObject body, CancellationToken cancellationToken) =>
        CallAsync(endpoint, "Kinesis_20131202." + action, "application/x-amz-json-1.1", body, cancellationToken);

    private async Task<JsonElement> CallAsync(Uri endpoint, string target, string contentType, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Add("X-Amz-Target", target);
        using var response = await http.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        using var document = JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
        var root = document.RootElement.Clone();
        if (!response.IsSuccessStatusCode)
        {
            var type = root.TryGetProperty("__type", out var t) ? t.GetString() ?? "" : "";
            var message = root.TryGetProperty("message", out var m) || root.TryGetProperty("Message", out m) ? m.GetString() ?? "" : "";
            throw new AwsErrorException((int)response.StatusCode, type, message);
        }

        return root;
    }

    /// <summary>Whether <paramref name="ex"/> says the request may or may not have reached the server (connection
    /// refused or reset, a timeout): its outcome is unknown.</summary>
    public static bool IsTransportFailure(Exception ex) =>
        ex is HttpRequestException or IOException or SocketException or TimeoutException
        || (ex is TaskCanceledException { InnerException: TimeoutException });
}
