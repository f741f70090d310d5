using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindRefsByOIDTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<List<string>> CallAsync(TestRepo repo, string oid, string sortField = "", uint limit = 0, params string[] patterns)
    {
        var request = new FindRefsByOIDRequest { Repository = ServerFixture.Proto(repo), Oid = oid, SortField = sortField, Limit = limit };
        request.RefPatterns.AddRange(patterns);
        return [.. (await server.Ref.FindRefsByOIDAsync(request)).Refs];
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindRefsByOID_DefaultPatterns_BranchesAndTagsPointingAtIt(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main");
        var other = await repo.CommitAsync(branch: "other", parents: []);
        await repo.CreateRefsAsync([("refs/heads/b", commit), ("refs/tags/v1", commit), ("refs/tags/v2", other), ("refs/keep-around/k", commit)]);

        var refs = await CallAsync(repo, commit);

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--points-at=" + commit, "--format=%(refname)", "refs/tags/", "refs/heads/"), refs);
        Assert.Equal(["refs/heads/b", "refs/heads/main", "refs/tags/v1"], refs);
    }

    [Fact]
    public async Task FindRefsByOID_PatternsSortAndLimit_AsForEachRef()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefsAsync([("refs/heads/a", commit), ("refs/tags/v1", commit), ("refs/keep-around/k", commit)]);

        Assert.Equal(["refs/keep-around/k"], await CallAsync(repo, commit, patterns: ["refs/keep-around/"]));
        Assert.Equal(["refs/tags/v1", "refs/heads/main", "refs/heads/a"], await CallAsync(repo, commit, sortField: "-refname"));
        Assert.Equal(["refs/tags/v1", "refs/heads/main"], await CallAsync(repo, commit, sortField: "-refname", limit: 2));
        Assert.Empty(await CallAsync(repo, new string('1', 40)));
    }

    [Fact]
    public async Task FindRefsByOID_Errors_AsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var empty = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ""));
        var malformed = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "nonsense"));
        var badSort = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "main", sortField: "bogus"));

        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal("empty Oid", empty.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Equal("for-each-ref pipeline command: exit status 129", malformed.Status.Detail);
        Assert.Equal(StatusCode.Internal, badSort.StatusCode);
    }
}
