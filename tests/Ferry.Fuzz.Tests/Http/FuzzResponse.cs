using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ferry.Fuzz.Tests.Http;

/// <summary>What the pipeline answered: status, headers and the body bytes as they would go on the wire.</summary>
internal sealed record FuzzResponse(int Status, IHeaderDictionary Headers, byte[] Body)
{
    public string? ContentType => Headers.ContentType.Count > 0 ? Headers.ContentType.ToString() : null;

    /// <summary>The body as text, for messages.</summary>
    public string Text => Encoding.UTF8.GetString(Body);
}
