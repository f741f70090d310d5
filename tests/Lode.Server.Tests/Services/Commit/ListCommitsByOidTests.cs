using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class ListCommitsByOidTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListCommitsByOid_FullShortMissingAndTags_CommitsInRequestOrder(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, ids) = await ListCommitsTests.MergeHistoryAsync(repo);
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1", ids[1]);
        var tag = await repo.RevParseAsync("v1");
        var tree = await repo.RevParseAsync("main^{tree}");
        string[] requested = [ids[2], merge[..8], new string('1', repo.HexLength), tag, tree, ids[0], "", "main"];

        var commits = await ListAsync(repo, requested);

        Assert.Equal(await CommitTestData.ExpectedAsync(repo, [ids[2], merge, ids[1], ids[0], merge]), commits);
    }

    [Fact]
    public async Task ListCommitsByOid_ManyIds_OneChunkedStream()
    {
        var repo = await server.CreateRepoAsync();
        var ids = await CommitTestData.FastImportAsync(repo, 700, bodyBytes: 2000);

        var commits = await ListAsync(repo, ids);

        Assert.Equal(ids, commits.Select(c => c.Id));
    }

    [Fact]
    public async Task ListCommitsByOid_NoIds_EmptyStream()
    {
        var repo = await server.CreateRepoAsync();

        Assert.Empty(await ListAsync(repo, []));
    }

    [Fact]
    public async Task ListCommitsByOid_NoRepository_InvalidArgument()
    {
        using var call = server.Commit.ListCommitsByOid(new ListCommitsByOidRequest { Oid = { "abc" } });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<GitCommit>> ListAsync(TestRepo repo, IEnumerable<string> oids)
    {
        using var call = server.Commit.ListCommitsByOid(new ListCommitsByOidRequest { Repository = ServerFixture.Proto(repo), Oid = { oids } });
        var commits = new List<GitCommit>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            commits.AddRange(response.Commits);
        }

        return commits;
    }
}
