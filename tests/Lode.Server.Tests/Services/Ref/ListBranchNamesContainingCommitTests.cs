using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class ListBranchNamesContainingCommitTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<List<ListBranchNamesContainingCommitResponse>> CallAsync(TestRepo repo, string commit, uint limit = 0) =>
        server.Ref.ListBranchNamesContainingCommit(new() { Repository = ServerFixture.Proto(repo), CommitId = commit, Limit = limit }).ReadAllAsync();

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListBranchNamesContainingCommit_Branches_AsForEachRefContains(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var root = await repo.CommitAsync(branch: "main");
        var child = await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "side", parents: [root]);
        await repo.CommitAsync(branch: "feature/x", parents: [child]);
        await repo.CreateRefAsync("refs/tags/v1", child);
        await repo.CreateRefAsync(RefRepo.Concat("refs/heads/", RefRepo.Latin1Name), child);

        var names = (await CallAsync(repo, child)).SelectMany(m => m.BranchNames).Select(n => n.ToByteArray()).ToList();

        var expected = (await repo.ForEachRefAsync("%(refname:lstrip=2)", "--contains=" + child, "refs/heads")).ToList();
        Assert.Equal(expected, names);
        Assert.Equal(3, names.Count);
        Assert.Equal(4, (await CallAsync(repo, root)).SelectMany(m => m.BranchNames).Count());
        Assert.Equal(2, (await CallAsync(repo, root, limit: 2)).SelectMany(m => m.BranchNames).Count());
    }

    [Theory]
    [InlineData("abc", "invalid object ID: \"abc\", expected length 40, got 3")]
    [InlineData("", "invalid object ID: \"\", expected length 40, got 0")]
    [InlineData("gggggggggggggggggggggggggggggggggggggggg", "invalid object ID: \"gggggggggggggggggggggggggggggggggggggggg\", invalid character 'g'")]
    public async Task ListBranchNamesContainingCommit_InvalidCommitId_InvalidArgument(string commit, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commit));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task ListBranchNamesContainingCommit_UnknownCommit_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, new string('1', 40)));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }
}
