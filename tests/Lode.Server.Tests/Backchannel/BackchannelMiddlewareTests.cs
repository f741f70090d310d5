using System.Net.Sockets;
using Gitaly;
using Lode.Server.Backchannel;
using Lode.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Server.Tests.Backchannel;

public sealed class BackchannelMiddlewareTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Backchannel_PlainAndMultiplexedClientsOnOnePort_BothServed()
    {
        using var multiplexed = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);

        var viaYamux = await multiplexed.Server.ServerInfoAsync(new ServerInfoRequest());
        var plain = await server.Server.ServerInfoAsync(new ServerInfoRequest());

        Assert.Equal(plain.ServerVersion, viaYamux.ServerVersion);
        Assert.Equal(plain.StorageStatuses.Count, viaYamux.StorageStatuses.Count);
    }

    [Fact]
    public async Task Backchannel_EachConnection_RegisteredWithIncreasingIdUntilClosed()
    {
        var registry = server.Services.GetRequiredService<BackchannelRegistry>();
        var earlier = registry.Peers.Select(p => p.Id).ToHashSet();

        ulong[] ids;
        using (var first = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp))
        {
            await first.Server.ServerInfoAsync(new ServerInfoRequest());
            using var second = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
            await second.Server.ServerInfoAsync(new ServerInfoRequest());
            ids = [.. registry.Peers.Select(p => p.Id).Where(id => !earlier.Contains(id)).Order()];
        }

        Assert.Equal(2, ids.Length);
        Assert.True(ids[0] > 0 && ids[1] > ids[0]);
        Assert.True(earlier.Count == 0 || ids[0] > earlier.Max());
        await WaitUntilAsync(() => !registry.Peers.Any(p => ids.Contains(p.Id)));
        Assert.DoesNotContain(registry.Peers, p => ids.Contains(p.Id));
    }

    [Fact]
    public async Task Backchannel_ClientSilent_ConnectionKeptUntilBytesArrive()
    {
        // Fewer than 11 bytes must not be mistaken for anything: the server waits for more.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Endpoints.Tcp!);
        await socket.SendAsync("backch"u8.ToArray());
        await Task.Delay(200);
        await socket.SendAsync("annel"u8.ToArray());

        // Now a yamux session: a ping (type 2, SYN) must come back as a ping ACK with the same id.
        byte[] ping = [0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42];
        await socket.SendAsync(ping);
        var answer = new byte[12];
        var read = 0;
        while (read < answer.Length)
        {
            read += await socket.ReceiveAsync(answer.AsMemory(read));
        }

        Assert.Equal(new byte[] { 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 42 }, answer);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }
}
