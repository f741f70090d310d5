using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Hosting;

public sealed class UnimplementedTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task NotYetImplementedRpc_AnswersUnimplementedAtOnce()
    {
        var client = new OperationService.OperationServiceClient(server.Invoker);
        var started = DateTime.UtcNow;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.UserSquashAsync(new UserSquashRequest()));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("method UserSquash not implemented", e.Status.Detail);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task UnknownService_Unimplemented()
    {
        var method = new Method<byte[], byte[]>(MethodType.Unary, "gitaly.NoSuchService", "Nothing",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Invoker.AsyncUnaryCall(method, null, new CallOptions(), []));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }
}
