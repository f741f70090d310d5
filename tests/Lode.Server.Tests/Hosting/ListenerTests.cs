using Gitaly;
using Grpc.Core;
using Lode.TestKit;
using Lode.TestKit.Fixtures;

namespace Lode.Server.Tests.Hosting;

public sealed class UnixSocketListenerTests(UnixSocketServerFixture server) : IClassFixture<UnixSocketServerFixture>
{
    [Fact]
    public async Task UnixSocket_RepositoryExists_Answers()
    {
        var repo = await server.CreateRepoAsync();

        var reply = await server.Repository.RepositoryExistsAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.Null(server.Endpoints.Tcp);
        Assert.True(reply.Exists);
    }

    [Fact]
    public async Task InternalSocket_RequiresTheSameToken()
    {
        using var channel = ServerFixture.CreateUnixChannel(server.Endpoints.InternalSocket);
        var anonymous = new ServerService.ServerServiceClient(channel);
        var authenticated = new ServerService.ServerServiceClient(Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(
            channel.CreateCallInvoker(), new ServerFixture.TokenInterceptor(TokenServerFixture.Token)));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.ServerInfoAsync(new ServerInfoRequest()));
        var reply = await authenticated.ServerInfoAsync(new ServerInfoRequest());

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Single(reply.StorageStatuses);
    }
}

public sealed class TlsListenerTests(TlsServerFixture server) : IClassFixture<TlsServerFixture>
{
    [Fact]
    public async Task Tls_RepositoryExists_Answers()
    {
        var repo = await server.CreateRepoAsync();

        var reply = await server.Repository.RepositoryExistsAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.Null(server.Endpoints.Tcp);
        Assert.NotNull(server.Endpoints.Tls);
        Assert.True(reply.Exists);
    }

    [Fact]
    public async Task Tls_PlaintextClient_Fails()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress("http://127.0.0.1:" + server.Endpoints.Tls!.Port);
        var client = new ServerService.ServerServiceClient(channel);

        await Assert.ThrowsAsync<RpcException>(async () => await client.ServerInfoAsync(new ServerInfoRequest()));
    }
}
