using Gitaly;
using Lode.TestKit;
using Lode.TestKit.Fixtures;

namespace Lode.Server.Tests.Backchannel;

public sealed class BackchannelUnixSocketTests(UnixSocketServerFixture server) : IClassFixture<UnixSocketServerFixture>
{
    [Fact]
    public async Task Backchannel_UnixSocket_PlainAndMultiplexedServed()
    {
        using var multiplexed = BackchannelClient.Connect("unix:" + server.Endpoints.UnixSocket, TokenServerFixture.Token);

        var reply = await multiplexed.Server.ServerInfoAsync(new ServerInfoRequest());
        await server.Server.ServerInfoAsync(new ServerInfoRequest());

        Assert.NotEmpty(reply.ServerVersion);
    }

    [Fact]
    public async Task Backchannel_InternalSocket_Multiplexed()
    {
        using var multiplexed = BackchannelClient.Connect("unix:" + server.Endpoints.InternalSocket, TokenServerFixture.Token);

        var reply = await multiplexed.Server.ServerInfoAsync(new ServerInfoRequest());

        Assert.NotEmpty(reply.ServerVersion);
    }
}
