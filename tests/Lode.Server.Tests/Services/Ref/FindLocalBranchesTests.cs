using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindLocalBranchesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<List<FindLocalBranchesResponse>> CallAsync(TestRepo repo, FindLocalBranchesRequest.Types.SortBy sort = default,
        PaginationParameter? pagination = null) =>
        server.Ref.FindLocalBranches(new()
        {
            Repository = ServerFixture.Proto(repo),
            SortBy = sort,
            PaginationParams = pagination,
        }).ReadAllAsync();

    private static List<string> Names(IEnumerable<FindLocalBranchesResponse> messages) =>
        messages.SelectMany(m => m.LocalBranches).Select(b => b.Name.ToStringUtf8()).ToList();

    [Fact]
    public async Task FindLocalBranches_EmptyRepository_NoMessages()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");
        await repo.CreateRefAsync("refs/tags/v1", commit);
        await repo.CreateRefAsync("refs/remotes/origin/x", commit);

        Assert.Empty(await CallAsync(repo));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindLocalBranches_MoreThanOneMessage_TwentyPerMessageInRefOrder(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync(branch: "main", message: "first subject\n\nbody");
        var second = await repo.CommitAsync(branch: "main", message: "second");
        await repo.CreateRefsAsync(Enumerable.Range(0, 24).Select(i => ($"refs/heads/b-{i}", i % 2 == 0 ? first : second)));

        var messages = await CallAsync(repo);

        Assert.Equal([20, 5], messages.Select(m => m.LocalBranches.Count));
        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/heads/"), Names(messages));
        foreach (var branch in messages.SelectMany(m => m.LocalBranches))
        {
            var oid = (await repo.RevParseAsync(branch.Name.ToStringUtf8())).Trim();
            Assert.Equal(oid, branch.TargetCommit.Id);
            Assert.Equal((await repo.GitAsync("show", "-s", "--format=%T", oid)).Trim(), branch.TargetCommit.TreeId);
            Assert.Equal((await repo.GitAsync("show", "-s", "--format=%s", oid)).Trim(), branch.TargetCommit.Subject.ToStringUtf8());
        }
    }

    [Theory]
    [InlineData(FindLocalBranchesRequest.Types.SortBy.Name, "refname")]
    [InlineData(FindLocalBranchesRequest.Types.SortBy.UpdatedAsc, "committerdate")]
    [InlineData(FindLocalBranchesRequest.Types.SortBy.UpdatedDesc, "-committerdate")]
    public async Task FindLocalBranches_SortOrders_MatchForEachRef(FindLocalBranchesRequest.Types.SortBy sort, string gitSort)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAtAsync("branch-a", 1_600_000_000);
        await repo.CommitAtAsync("branch-b", 1_200_000_000);
        await repo.CommitAtAsync("branch-c", 1_900_000_000);
        var same = await repo.CommitAtAsync("branch-d", 1_500_000_000);
        await repo.CreateRefAsync("refs/heads/branch-e", same);

        var names = Names(await CallAsync(repo, sort));

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--sort=" + gitSort, "--format=%(refname)", "refs/heads/"), names);
    }

    [Fact]
    public async Task FindLocalBranches_ThousandsOfBranches_OrderAndBoundariesAsGit()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var random = new Random(42);
        await repo.CreateRefsAsync(Enumerable.Range(0, 1200).Select(i => ($"refs/heads/{(char)('a' + random.Next(26))}/{i:x}-{random.Next()}", commit)));

        var messages = await CallAsync(repo);

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/heads/"), Names(messages));
        Assert.Equal(61, messages.Count);
        Assert.All(messages.SkipLast(1), m => Assert.Equal(20, m.LocalBranches.Count));
        Assert.Single(messages[^1].LocalBranches);
    }

    [Fact]
    public async Task FindLocalBranches_PagingWithTokens_VisitsEveryBranchOnce()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefsAsync(Enumerable.Range(0, 45).Select(i => ($"refs/heads/p-{i:d3}", commit)));
        var all = await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/heads/");

        var seen = new List<string>();
        var token = "";
        while (true)
        {
            var page = Names(await CallAsync(repo, pagination: new PaginationParameter { Limit = 7, PageToken = token }));
            Assert.True(page.Count <= 7);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page);
            token = page[^1];
        }

        Assert.Equal(all, seen);
    }

    [Fact]
    public async Task FindLocalBranches_LimitSemantics_AsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "branch-a");
        await repo.CreateRefsAsync([("refs/heads/branch-b", commit), ("refs/heads/branch-c", commit)]);

        Assert.Equal(["refs/heads/branch-a", "refs/heads/branch-b"], Names(await CallAsync(repo, pagination: new() { Limit = 2 })));
        Assert.Equal(["refs/heads/branch-b"], Names(await CallAsync(repo, pagination: new() { Limit = 1, PageToken = "refs/heads/branch-a" })));

        // An empty pagination parameter means a limit of zero: nothing; a negative limit means no limit.
        Assert.Empty(await CallAsync(repo, pagination: new()));
        Assert.Equal(3, Names(await CallAsync(repo, pagination: new() { Limit = -1 })).Count);

        // The last branch as token: an empty page, not an error.
        Assert.Empty(await CallAsync(repo, pagination: new() { Limit = 5, PageToken = "refs/heads/branch-c" }));
    }

    [Theory]
    [InlineData(5, "refs/heads/does-not-exist")]
    [InlineData(0, "refs/heads/branch-a")]
    public async Task FindLocalBranches_PageTokenNotFound_InvalidArgument(int limit, string token)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "branch-a");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, pagination: new() { Limit = limit, PageToken = token }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid page token: sending lines: could not find page token", e.Status.Detail);
    }

    [Fact]
    public async Task FindLocalBranches_NonUtf8NameAndTagTarget_RawNameAndPeeledCommit()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var tag = await repo.AnnotatedTagAsync("v1", commit, "tag\n");
        var name = RefRepo.Concat("refs/heads/", RefRepo.Latin1Name);
        await repo.CreateRefAsync(name, commit);
        await repo.WriteLooseRefAsync("refs/heads/to-tag", tag);

        var branches = (await CallAsync(repo)).SelectMany(m => m.LocalBranches).ToList();

        Assert.Equal(name, branches[0].Name.ToByteArray());
        Assert.Equal(commit, branches[0].TargetCommit.Id);
        Assert.Equal("refs/heads/to-tag", branches[^1].Name.ToStringUtf8());
        Assert.Equal(commit, branches[^1].TargetCommit.Id);
    }

    [Fact]
    public async Task FindLocalBranches_BranchPointsAtBlob_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");
        await repo.WriteLooseRefAsync("refs/heads/blob", await repo.WriteBlobAsync("not a commit"));

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("finding refs: ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindLocalBranches_MissingRepository_NotFound()
    {
        var call = server.Ref.FindLocalBranches(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
        });

        var e = await Assert.ThrowsAsync<RpcException>(call.ReadAllAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task FindLocalBranches_CommitFields_MatchGit()
    {
        var repo = await server.CreateRepoAsync();
        var parent = await repo.CommitAsync(branch: "main", message: "one");
        var merge = await repo.CommitAsync(branch: "main", message: "merge\n\nbody text\n", parents: [parent, await repo.CommitAsync(branch: "side")],
            author: "Ann Other <ann@example.com>");

        var branch = (await CallAsync(repo)).SelectMany(m => m.LocalBranches).Single(b => b.Name.ToStringUtf8() == "refs/heads/main");

        Assert.Equal(merge, branch.TargetCommit.Id);
        Assert.Equal((await repo.GitAsync("show", "-s", "--format=%P", merge)).Trim().Split(' '), branch.TargetCommit.ParentIds);
        Assert.Equal("Ann Other", branch.TargetCommit.Author.Name.ToStringUtf8());
        Assert.Equal("ann@example.com", Encoding.UTF8.GetString(branch.TargetCommit.Author.Email.ToByteArray()));
        Assert.Equal("merge\n\nbody text\n", branch.TargetCommit.Body.ToStringUtf8());
    }
}
