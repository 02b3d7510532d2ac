using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// Signs the messages Ferry delivers the way SNS signs them, with an RSA key and a self-signed certificate that
/// receivers fetch from the SigningCertURL of each message.
/// </summary>
/// <remarks>
/// <para>
/// With a directory the key and the certificate are kept there as PEM (<see cref="KeyFile"/>, mode 0600, and
/// <see cref="CertificateFile"/>), so signatures stay verifiable across restarts; without one both live in memory
/// for the life of the process. The key is the identity: a certificate that is missing, unreadable or of another
/// key is issued anew for it. A key file that cannot be read is an error, never silently replaced.
/// </para>
/// <para>
/// Each file is written to a temporary name, flushed to disk and renamed over the final name, so a crash leaves
/// either the old file or the new one. The directory itself is not synced: if a crash loses the rename, the next
/// start creates another key and certificate, and since <see cref="CertificateFileName"/> derives from the
/// certificate, receivers fetch the new one under its new name instead of a stale copy.
/// </para>
/// <para>Signing is thread-safe: concurrent callers each use an RSA instance of their own from a small pool.</para>
/// </remarks>
public sealed class SnsSigner : IDisposable
{
    /// <summary>The private key's file in the signing directory (PKCS#8 PEM).</summary>
    public const string KeyFile = "sns-signing-key.pem";

    /// <summary>The certificate's file in the signing directory (PEM).</summary>
    public const string CertificateFile = "sns-signing-cert.pem";

    /// <summary>The subject of the certificate, the name SNS's own certificates carry.</summary>
    public const string Subject = "CN=sns.amazonaws.com";

    /// <summary>RSA-2048, the key size of SNS's signing certificates.</summary>
    private const int KeySizeBits = 2048;

    /// <summary>A 2048-bit RSA signature is 256 bytes.</summary>
    private const int SignatureBytes = KeySizeBits / 8;

    /// <summary>
    /// Twenty years: the certificate must outlive any installation, since receivers may reject an expired one and
    /// nothing here renews it.
    /// </summary>
    private const int ValidityYears = 20;

    /// <summary>Strings to sign up to this many UTF-8 bytes are encoded on the stack.</summary>
    private const int StackLimit = 1024;

    private readonly byte[] _pkcs8;
    private readonly ConcurrentBag<RSA> _pool = [];
    private volatile bool _disposed;

    private SnsSigner(RSA key, X509Certificate2 certificate)
    {
        _pkcs8 = key.ExportPkcs8PrivateKey();
        _pool.Add(key);
        CertificatePem = certificate.ExportCertificatePem() + "\n";
        CertificateFileName = FileNameOf(certificate);
        certificate.Dispose();
    }

    /// <summary>The certificate in PEM, as the host serves it at <c>/</c><see cref="CertificateFileName"/>.</summary>
    public string CertificatePem { get; }

    /// <summary>
    /// The certificate's stable file name, <c>SimpleNotificationService-</c> and 32 lower-case hex digits of its
    /// SHA-256, then <c>.pem</c>: the shape of SNS's own SigningCertURL paths.
    /// </summary>
    public string CertificateFileName { get; }

    /// <summary>
    /// Loads the key and certificate from <paramref name="directory"/>, creating what is missing; with a null
    /// directory, creates an ephemeral pair in memory.
    /// </summary>
    /// <exception cref="InvalidDataException">The key file exists but holds no RSA private key.</exception>
    public static SnsSigner LoadOrCreate(string? directory, TimeProvider? timeProvider = null)
    {
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        if (directory is null)
        {
            var ephemeral = RSA.Create(KeySizeBits);
            return new SnsSigner(ephemeral, Issue(ephemeral, now));
        }

        Directory.CreateDirectory(directory);
        var keyPath = Path.Combine(directory, KeyFile);
        var certificatePath = Path.Combine(directory, CertificateFile);
        var key = File.Exists(keyPath) ? ReadKey(keyPath) : CreateKey(keyPath);
        var certificate = ReadCertificateOf(certificatePath, key);
        if (certificate is null)
        {
            certificate = Issue(key, now);
            WriteAtomically(certificatePath, Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"), privateFile: false);
        }

        return new SnsSigner(key, certificate);
    }

    /// <summary>
    /// The base64 signature of <paramref name="stringToSign"/>'s UTF-8 bytes: RSA PKCS#1 v1.5 over SHA-1 for
    /// <see cref="SnsSignatureVersion.V1"/>, over SHA-256 for <see cref="SnsSignatureVersion.V2"/>.
    /// </summary>
    public string Sign(string stringToSign, SnsSignatureVersion version)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var hash = version switch
        {
            SnsSignatureVersion.V1 => HashAlgorithmName.SHA1,
            SnsSignatureVersion.V2 => HashAlgorithmName.SHA256,
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "SNS signature versions are 1 and 2."),
        };

        int max = Encoding.UTF8.GetMaxByteCount(stringToSign.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var rsa = Rent();
        try
        {
            int length = Encoding.UTF8.GetBytes(stringToSign, buffer);
            Span<byte> signature = stackalloc byte[SignatureBytes];
            if (!rsa.TrySignData(buffer[..length], signature, hash, RSASignaturePadding.Pkcs1, out int written))
            {
                throw new CryptographicException("The signature did not fit its buffer.");
            }

            return Convert.ToBase64String(signature[..written]);
        }
        finally
        {
            Return(rsa);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        while (_pool.TryTake(out var rsa))
        {
            rsa.Dispose();
        }

        CryptographicOperations.ZeroMemory(_pkcs8);
    }

    /// <summary>The file name for a certificate: its SHA-256 truncated to 128 bits, in lower-case hex.</summary>
    internal static string FileNameOf(X509Certificate2 certificate)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(certificate.RawDataMemory.Span, digest);
        return "SimpleNotificationService-" + Convert.ToHexStringLower(digest[..16]) + ".pem";
    }

    private RSA Rent()
    {
        if (_pool.TryTake(out var rsa))
        {
            return rsa;
        }

        rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(_pkcs8, out _);
        return rsa;
    }

    private void Return(RSA rsa)
    {
        if (_disposed)
        {
            rsa.Dispose();
            return;
        }

        _pool.Add(rsa);
    }

    private static RSA ReadKey(string path)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(File.ReadAllText(path));
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidDataException(
                $"The SNS signing key '{path}' holds no readable RSA private key ({e.Message}). Restore it, or delete it "
                + "and its certificate to create a new pair: receivers then fetch the new certificate.", e);
        }
    }

    private static RSA CreateKey(string path)
    {
        var rsa = RSA.Create(KeySizeBits);
        WriteAtomically(path, Encoding.ASCII.GetBytes(rsa.ExportPkcs8PrivateKeyPem() + "\n"), privateFile: true);
        return rsa;
    }

    /// <summary>The certificate in <paramref name="path"/> if it is readable and certifies <paramref name="key"/>; otherwise null.</summary>
    private static X509Certificate2? ReadCertificateOf(string path, RSA key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException)
        {
            return null;
        }

        using var publicKey = certificate.GetRSAPublicKey();
        if (publicKey is not null && publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            return certificate;
        }

        certificate.Dispose();
        return null;
    }

    /// <summary>A self-signed certificate for <paramref name="key"/>, valid from a day before <paramref name="now"/> (clock skew).</summary>
    private static X509Certificate2 Issue(RSA key, DateTimeOffset now)
    {
        var request = new CertificateRequest(Subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var notBefore = now.AddDays(-1);
        return request.CreateSelfSigned(notBefore, notBefore.AddYears(ValidityYears));
    }

    /// <summary>Writes a file under a temporary name, flushes it to disk and renames it over <paramref name="path"/>.</summary>
    private static void WriteAtomically(string path, byte[] content, bool privateFile)
    {
        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (privateFile && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
