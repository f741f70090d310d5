using System.Security.Cryptography;
using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Hook;

#pragma warning disable CA5350 // The vote is SHA-1 by protocol.

public sealed class ReferenceTransactionHookTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const int VoteEventId = 4203;

    [Theory]
    [InlineData(ReferenceTransactionHookRequest.Types.State.Prepared, "Prepared")]
    [InlineData(ReferenceTransactionHookRequest.Types.State.Committed, "Committed")]
    public async Task ReferenceTransactionHook_Updates_VotesSha1OfStdin(ReferenceTransactionHookRequest.Types.State state, string phase)
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var changes = $"{repo.ZeroOid} {oid} refs/heads/vote-{Guid.NewGuid():N}\n";
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.ReferenceTransactionAsync(server, proto, HookCalls.Environment(server, proto), state, changes);

        Assert.Equal(new HookResult("", "", 0, 1), result);
        var vote = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(changes)));
        Assert.Contains(server.Logs.Records, r => r.EventId == VoteEventId && r.Message.Contains(vote, StringComparison.Ordinal) &&
            r.Message.Contains(phase, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReferenceTransactionHook_Aborted_NoVote()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var changes = $"{repo.ZeroOid} {oid} refs/heads/aborted-{Guid.NewGuid():N}\n";
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.ReferenceTransactionAsync(server, proto, HookCalls.Environment(server, proto),
            ReferenceTransactionHookRequest.Types.State.Aborted, changes);

        Assert.Equal(0, result.ExitCode);
        var vote = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(changes)));
        Assert.DoesNotContain(server.Logs.Records, r => r.EventId == VoteEventId && r.Message.Contains(vote, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ReferenceTransactionHook_ForceDeletionsOnly_NoVote(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var changes = $"{repo.ZeroOid} {repo.ZeroOid} refs/heads/gone-{Guid.NewGuid():N}\n{repo.ZeroOid} {repo.ZeroOid} refs/tags/v1\n";
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.ReferenceTransactionAsync(server, proto, HookCalls.Environment(server, proto, objectFormat: format),
            ReferenceTransactionHookRequest.Types.State.Prepared, changes);

        Assert.Equal(0, result.ExitCode);
        var vote = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(changes)));
        Assert.DoesNotContain(server.Logs.Records, r => r.EventId == VoteEventId && r.Message.Contains(vote, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReferenceTransactionHook_InvalidState_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        var proto = ServerFixture.Proto(repo);

        var e = await Assert.ThrowsAsync<RpcException>(() => HookCalls.ReferenceTransactionAsync(server, proto, HookCalls.Environment(server, proto),
            (ReferenceTransactionHookRequest.Types.State)7, ""));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid hook state", e.Status.Detail);
    }
}
