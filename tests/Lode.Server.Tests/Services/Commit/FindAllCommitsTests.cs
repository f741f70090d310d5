using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class FindAllCommitsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "sha1", "revision" },
        { "sha256", "revision" },
        { "sha1", "all branches" },
        { "sha1", "max_count+skip" },
        { "sha1", "date order" },
        { "sha1", "topo order" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FindAllCommits_Options_MatchGitLog(string format, string option)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, _) = await ListCommitsTests.MergeHistoryAsync(repo);
        await repo.CommitAsync(branch: "other", message: "unrelated", parents: []);
        var request = new FindAllCommitsRequest { Repository = ServerFixture.Proto(repo), Revision = ByteString.CopyFromUtf8(merge) };
        List<string> args = ["log", "--pretty=%H", merge];
        switch (option)
        {
            case "all branches":
                request.Revision = ByteString.Empty;
                args = ["log", "--pretty=%H", "refs/heads/main", "refs/heads/other", "refs/heads/side"];
                break;
            case "max_count+skip":
                request.MaxCount = 2;
                request.Skip = 1;
                args.AddRange(["--max-count=2", "--skip=1"]);
                break;
            case "date order":
                request.Order = FindAllCommitsRequest.Types.Order.Date;
                args.Add("--date-order");
                break;
            case "topo order":
                request.Order = FindAllCommitsRequest.Types.Order.Topo;
                args.Add("--topo-order");
                break;
        }

        var commits = await AllAsync(request);

        var expected = await repo.GitLinesAsync([.. args]);
        Assert.NotEmpty(expected);
        Assert.Equal(await CommitTestData.ExpectedAsync(repo, expected), commits);
    }

    [Fact]
    public async Task FindAllCommits_UnknownRevisionOrEmptyRepository_EmptyStream()
    {
        var empty = await server.CreateRepoAsync();
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var none = await AllAsync(new FindAllCommitsRequest { Repository = ServerFixture.Proto(empty) });
        var unknown = await AllAsync(new FindAllCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("does-not-exist"),
        });

        Assert.Empty(none);
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task FindAllCommits_NonUtf8BranchAmongAllBranches_Listed()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var loose = await repo.CommitAsync(branch: "", message: "only on a Latin-1 branch", parents: []);
        await CommitTestData.UpdateRawRefAsync(repo, [.. "refs/heads/br"u8, 0xe9], loose);

        var commits = await AllAsync(new FindAllCommitsRequest { Repository = ServerFixture.Proto(repo) });

        Assert.Contains(loose, commits.Select(c => c.Id));
        Assert.Equal(2, commits.Count);
    }

    [Fact]
    public async Task FindAllCommits_InvalidRevision_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => AllAsync(new FindAllCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("--all"),
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("revision can't start with '-'", e.Status.Detail);
    }

    private async Task<List<GitCommit>> AllAsync(FindAllCommitsRequest request)
    {
        using var call = server.Commit.FindAllCommits(request);
        var commits = new List<GitCommit>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            commits.AddRange(response.Commits);
        }

        return commits;
    }
}
