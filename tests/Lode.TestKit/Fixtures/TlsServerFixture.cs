using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Lode.Core.Configuration;

namespace Lode.TestKit.Fixtures;

/// <summary>A server listening only on <c>tls_listen_addr</c> with a self-signed certificate made for the test.</summary>
public sealed class TlsServerFixture : TokenServerFixture
{
    public X509Certificate2? Certificate { get; private set; }

    protected override LodeOptions Configure(LodeOptions options)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var certPath = Root.Combine("cert.pem");
        var keyPath = Root.Combine("key.pem");
        File.WriteAllText(certPath, Certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return base.Configure(options) with
        {
            ListenAddr = null,
            TlsListenAddr = "127.0.0.1:0",
            Tls = new TlsOptions { CertificatePath = certPath, KeyPath = keyPath },
        };
    }

    protected override GrpcChannel CreateChannel()
    {
        var expected = Certificate!.Thumbprint;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == expected;
        return GrpcChannel.ForAddress("https://localhost:" + Endpoints.Tls!.Port, new GrpcChannelOptions { HttpHandler = handler });
    }
}
