using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Aws.Sns;

/// <summary>Serves the certificate of Ferry's signing key at the SigningCertURL that signed messages carry.</summary>
internal static class SnsCertificate
{
    private const string Prefix = "/SimpleNotificationService-";

    public static bool IsCertificatePath(PathString path) =>
        path.Value is { } p && p.StartsWith(Prefix, StringComparison.Ordinal) && p.EndsWith(".pem", StringComparison.Ordinal);

    public static async Task ServeAsync(HttpContext http, IServiceProvider services)
    {
        var signer = services.GetRequiredService<SnsDelivery>().Signer;
        if (http.Request.Path.Value != "/" + signer.CertificateFileName)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = "application/x-x509-ca-cert";
        await http.Response.WriteAsync(signer.CertificatePem, http.RequestAborted);
    }
}
