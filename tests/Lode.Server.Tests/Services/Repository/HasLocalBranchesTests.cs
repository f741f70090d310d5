using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class HasLocalBranchesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task HasLocalBranches_Empty_False()
    {
        var repo = await server.CreateRepoAsync();

        var reply = await server.Repository.HasLocalBranchesAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.Empty(await repo.GitLinesAsync("for-each-ref", "refs/heads/"));
        Assert.False(reply.Value);
    }

    [Fact]
    public async Task HasLocalBranches_OnlyATag_False()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");
        await repo.GitAsync("update-ref", "refs/tags/v1", commit);

        var reply = await server.Repository.HasLocalBranchesAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.False(reply.Value);
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task HasLocalBranches_WithBranch_True(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(branch: "feature");

        var reply = await server.Repository.HasLocalBranchesAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.Single(await repo.GitLinesAsync("for-each-ref", "refs/heads/"));
        Assert.True(reply.Value);
    }
}
