using Grpc.Net.Client;
using Lode.Core.Configuration;

namespace Lode.TestKit.Fixtures;

/// <summary>A server listening only on a unix socket (<c>socket_path</c>), with a token; clients connect through the socket.</summary>
public sealed class UnixSocketServerFixture : TokenServerFixture
{
    protected override LodeOptions Configure(LodeOptions options) =>
        base.Configure(options) with { ListenAddr = null, SocketPath = Root.Combine("gitaly.socket") };

    protected override GrpcChannel CreateChannel() => CreateUnixChannel(Endpoints.UnixSocket!);
}
