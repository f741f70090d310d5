using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Hook;

/// <summary>
/// ProcReceiveHook on a server without a write-ahead log: the protocol is spoken up to the updates, which are then
/// refused with exit status 1, as a Gitaly without transactions refuses them; no ref changes.
/// </summary>
public sealed class ProcReceiveHookTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("version=1\0push-options atomic\n", "version=1\0push-options\n", true)]
    [InlineData("version=1\0atomic\n", "version=1\n", false)]
    public async Task ProcReceiveHook_NoTransaction_NegotiatesReadsUpdatesAndRefuses(string gitVersion, string expectedVersion, bool options)
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);
        using var call = server.Hook.ProcReceiveHook();
        await call.RequestStream.WriteAsync(new ProcReceiveHookRequest { Repository = proto, EnvironmentVariables = { HookCalls.Environment(server, proto) } });

        await call.RequestStream.WriteAsync(Stdin(GitWire.Pkt(gitVersion), GitWire.Flush));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Encoding.ASCII.GetString(GitWire.Pkt(expectedVersion)) + "0000", call.ResponseStream.Current.Stdout.ToStringUtf8());

        await call.RequestStream.WriteAsync(Stdin(GitWire.Pkt($"{repo.ZeroOid} {commit} refs/for/main\n"), GitWire.Flush));
        if (options)
        {
            await call.RequestStream.WriteAsync(Stdin(GitWire.Pkt("topic=x\n"), GitWire.Flush));
        }

        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var answer = call.ResponseStream.Current;
        Assert.Equal(1, answer.ExitStatus.Value);
        Assert.Contains("no transaction waits for these 1 reference update(s)", answer.Stderr.ToStringUtf8(), StringComparison.Ordinal);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Null(await repo.TryRevParseAsync("refs/for/main"));
    }

    [Fact]
    public async Task ProcReceiveHook_UnknownVersion_RefusedWithReason()
    {
        var repo = await server.CreateRepoAsync();
        var proto = ServerFixture.Proto(repo);
        using var call = server.Hook.ProcReceiveHook();
        await call.RequestStream.WriteAsync(new ProcReceiveHookRequest { Repository = proto, EnvironmentVariables = { HookCalls.Environment(server, proto) } });
        await call.RequestStream.WriteAsync(Stdin(GitWire.Pkt("version=2\n"), GitWire.Flush));
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(1, call.ResponseStream.Current.ExitStatus.Value);
        Assert.Equal("creating handler: unsupported proc-receive version: version=2", call.ResponseStream.Current.Stderr.ToStringUtf8());
    }

    [Fact]
    public async Task ProcReceiveHook_NoRepository_InvalidArgument()
    {
        using var call = server.Hook.ProcReceiveHook();
        await call.RequestStream.WriteAsync(new ProcReceiveHookRequest());
        await call.RequestStream.CompleteAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    private static ProcReceiveHookRequest Stdin(params byte[][] parts) => new() { Stdin = ByteString.CopyFrom(parts.SelectMany(p => p).ToArray()) };
}
