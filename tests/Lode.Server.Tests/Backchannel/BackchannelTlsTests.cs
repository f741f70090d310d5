using System.Net.Security;
using Gitaly;
using Lode.TestKit;
using Lode.TestKit.Fixtures;

namespace Lode.Server.Tests.Backchannel;

public sealed class BackchannelTlsTests(TlsServerFixture server) : IClassFixture<TlsServerFixture>
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task Backchannel_Tls_MagicInsideTlsWithOrWithoutAlpn(bool multiplexed, bool alpn)
    {
        var expected = server.Certificate!.Thumbprint;
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == expected,
            ApplicationProtocols = alpn ? [SslApplicationProtocol.Http2] : [],
        };
        using var client = BackchannelClient.Connect("tls://localhost:" + server.Endpoints.Tls!.Port, TokenServerFixture.Token, multiplexed, tls);

        var reply = await client.Server.ServerInfoAsync(new ServerInfoRequest());

        Assert.NotEmpty(reply.ServerVersion);
    }
}
