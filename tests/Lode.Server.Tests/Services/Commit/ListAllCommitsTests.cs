using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class ListAllCommitsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListAllCommits_ReachableAndDangling_EveryCommitObject(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await ListCommitsTests.MergeHistoryAsync(repo);
        var dangling = await repo.CommitAsync(branch: "", message: "unreachable", parents: []);
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1", dangling);
        await repo.GitAsync("repack", "-d");
        await repo.CommitAsync(message: "loose after the pack");

        var commits = await ListAsync(new ListAllCommitsRequest { Repository = ServerFixture.Proto(repo) });

        var expected = await AllCommitIdsAsync(repo);
        Assert.Equal(expected.Order(StringComparer.Ordinal), commits.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal(6, expected.Count);
        foreach (var commit in commits)
        {
            Assert.Equal(await CommitTestData.ExpectedAsync(repo, commit.Id), commit);
        }
    }

    [Fact]
    public async Task ListAllCommits_LimitAndToken_PagesThroughAll()
    {
        var repo = await server.CreateRepoAsync();
        await CommitTestData.FastImportAsync(repo, 10);
        var unpaged = (await ListAsync(new ListAllCommitsRequest { Repository = ServerFixture.Proto(repo) })).Select(c => c.Id).ToList();

        var pages = new List<List<string>>();
        var token = "";
        do
        {
            var page = (await ListAsync(new ListAllCommitsRequest
            {
                Repository = ServerFixture.Proto(repo),
                PaginationParams = new PaginationParameter { Limit = 4, PageToken = token },
            })).Select(c => c.Id).ToList();
            pages.Add(page);
            token = page.Count > 0 ? page[^1] : "";
        }
        while (pages[^1].Count == 4);

        Assert.Equal([4, 4, 2], pages.Select(p => p.Count));
        Assert.Equal(unpaged, pages.SelectMany(p => p));
    }

    [Fact]
    public async Task ListAllCommits_Quarantine_OnlyQuarantinedCommits()
    {
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync(message: "unquarantined");
        var quarantine = Path.Combine(repo.Path, "objects", "incoming-123456");
        Directory.CreateDirectory(quarantine);
        var env = new Dictionary<string, string>
        {
            ["GIT_OBJECT_DIRECTORY"] = quarantine,
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = Path.Combine(repo.Path, "objects"),
        };
        var tree = await repo.RevParseAsync("main^{tree}");
        var pushed = System.Text.Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["commit-tree", tree, "-p", main, "-m", "quarantined"],
            env: env)).Trim();
        var proto = ServerFixture.Proto(repo);
        proto.GitObjectDirectory = "objects/incoming-123456";
        proto.GitAlternateObjectDirectories.Add("objects");
        var empty = ServerFixture.Proto(repo);
        empty.GitObjectDirectory = "objects/incoming-empty";
        Directory.CreateDirectory(Path.Combine(repo.Path, "objects", "incoming-empty"));

        var quarantined = await ListAsync(new ListAllCommitsRequest { Repository = proto });
        var none = await ListAsync(new ListAllCommitsRequest { Repository = empty });
        var all = await ListAsync(new ListAllCommitsRequest { Repository = ServerFixture.Proto(repo) });

        Assert.Equal([pushed], quarantined.Select(c => c.Id));
        Assert.Equal([main], quarantined[0].ParentIds);
        Assert.Empty(none);
        Assert.Equal([main], all.Select(c => c.Id));
    }

    [Fact]
    public async Task ListAllCommits_EmptyRepository_EmptyStream()
    {
        var repo = await server.CreateRepoAsync();

        Assert.Empty(await ListAsync(new ListAllCommitsRequest { Repository = ServerFixture.Proto(repo) }));
    }

    [Fact]
    public async Task ListAllCommits_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ListAsync(new ListAllCommitsRequest()));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static async Task<List<string>> AllCommitIdsAsync(TestRepo repo)
    {
        var lines = await repo.GitLinesAsync("cat-file", "--batch-all-objects", "--batch-check");
        return lines.Where(l => l.Split(' ')[1] == "commit").Select(l => l.Split(' ')[0]).ToList();
    }

    private async Task<List<GitCommit>> ListAsync(ListAllCommitsRequest request)
    {
        using var call = server.Commit.ListAllCommits(request);
        var commits = new List<GitCommit>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            commits.AddRange(response.Commits);
        }

        return commits;
    }
}
