using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindAllRemoteBranchesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<List<FindAllRemoteBranchesResponse>> CallAsync(TestRepo repo, string remote) =>
        server.Ref.FindAllRemoteBranches(new() { Repository = ServerFixture.Proto(repo), RemoteName = remote }).ReadAllAsync();

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindAllRemoteBranches_OneRemote_OnlyItsBranches(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefsAsync(Enumerable.Range(0, 22).Select(i => ($"refs/remotes/origin/b{i}", commit)));
        await repo.CreateRefAsync("refs/remotes/origin2/x", commit);
        await repo.CreateRefAsync("refs/remotes/other/y", commit);

        var messages = await CallAsync(repo, "origin");

        Assert.Equal([20, 2], messages.Select(m => m.Branches.Count));
        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/remotes/origin"),
            messages.SelectMany(m => m.Branches).Select(b => b.Name.ToStringUtf8()));
        Assert.All(messages.SelectMany(m => m.Branches), b => Assert.Equal(commit, b.TargetCommit.Id));
    }

    [Fact]
    public async Task FindAllRemoteBranches_UnknownRemote_NoMessages()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        Assert.Empty(await CallAsync(repo, "nope"));
    }

    [Fact]
    public async Task FindAllRemoteBranches_EmptyRemoteName_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ""));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("empty RemoteName", e.Status.Detail);
    }
}
