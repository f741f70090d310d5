using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class ListLastCommitsForTreeTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListLastCommitsForTree_Root_TreesFirstWithGitLogCommits(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var child = await repo.CommitAsync(files: Tree(repo, "not-yet-changed"));
        var parent = await repo.CommitAsync(files: Tree(repo, "changed"));

        var commits = await CallAsync(Request(repo, parent, "/", limit: 25));

        Assert.Equal(["subdir", "changed", "unchanged", "sub"], commits.Select(c => c.PathBytes.ToStringUtf8()));
        foreach (var commit in commits)
        {
            var expected = await repo.GitAsync("log", "--format=%H", "--max-count=1", parent, "--", commit.PathBytes.ToStringUtf8());
            Assert.Equal(expected, commit.Commit.Id);
        }

        Assert.Equal(child, commits.Single(c => c.PathBytes.ToStringUtf8() == "unchanged").Commit.Id);
    }

    [Fact]
    public async Task ListLastCommitsForTree_Subdirectory_FullPaths()
    {
        var repo = await server.CreateRepoAsync();
        var child = await repo.CommitAsync(files: Tree(repo, "not-yet-changed"));
        var parent = await repo.CommitAsync(files: Tree(repo, "changed"));

        var commits = await CallAsync(Request(repo, parent, "subdir/", limit: 5));

        Assert.Equal(["subdir/subdir-changed", "subdir/subdir-unchanged"], commits.Select(c => c.PathBytes.ToStringUtf8()));
        Assert.Equal([parent, child], commits.Select(c => c.Commit.Id));
    }

    [Fact]
    public async Task ListLastCommitsForTree_OffsetAndLimit_PageThroughBatchesOfTen()
    {
        var repo = await server.CreateRepoAsync();
        var files = new Dictionary<string, object>();
        for (var i = 0; i < 23; i++)
        {
            files[$"f{i:D2}"] = $"{i}";
        }

        await repo.CommitAsync(files: files);

        using var call = server.Commit.ListLastCommitsForTree(Request(repo, "main", "", limit: 20, offset: 1));
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal([10, 10], responses.Select(r => r.Commits.Count));
        Assert.Equal("f01", responses[0].Commits[0].PathBytes.ToStringUtf8());
        Assert.Empty(await CallAsync(Request(repo, "main", "", limit: 5, offset: 23)));
        Assert.Equal(["f22"], (await CallAsync(Request(repo, "main", "", limit: 5, offset: 22))).Select(c => c.PathBytes.ToStringUtf8()));
        Assert.Empty(await CallAsync(Request(repo, "main", "", limit: 0)));
    }

    [Fact]
    public async Task ListLastCommitsForTree_LiteralPathspecs_GlobLookingDirectory()
    {
        var repo = await server.CreateRepoAsync();
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { [":wq/file"] = "x" });

        var literal = Request(repo, head, ":wq", limit: 25);
        literal.GlobalOptions = new GlobalOptions { LiteralPathspecs = true };

        Assert.Equal([":wq"], (await CallAsync(literal)).Select(c => c.PathBytes.ToStringUtf8()));
        Assert.Empty(await CallAsync(Request(repo, head, ":wq", limit: 25)));
    }

    [Fact]
    public async Task ListLastCommitsForTree_NonUtf8Names_InTreeAndRequestPath()
    {
        var repo = await server.CreateRepoAsync();
        byte[] file = [(byte)'h', 0x80, (byte)'w'];
        byte[] dir = [(byte)'d', 0xE9];
        var head = await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["a"] = new TreeFile("x"u8.ToArray(), RawPath: file),
            ["b"] = new TreeFile("y"u8.ToArray(), RawPath: [.. dir, (byte)'/', (byte)'f']),
        });

        var root = await CallAsync(Request(repo, head, "", limit: 25));
        var inDir = Request(repo, head, "", limit: 25);
        inDir.Path = ByteString.CopyFrom([.. dir, (byte)'/']);
        var nested = await CallAsync(inDir);

        Assert.Equal([Convert.ToHexString(dir), Convert.ToHexString(file)], root.Select(c => Convert.ToHexString(c.PathBytes.ToByteArray())));
        Assert.All(root, c => Assert.Equal(head, c.Commit.Id));
        Assert.Equal(Convert.ToHexString([.. dir, (byte)'/', (byte)'f']), Convert.ToHexString(Assert.Single(nested).PathBytes.ToByteArray()));
    }

    [Fact]
    public async Task ListLastCommitsForTree_PathWithLeadingDash_Listed()
    {
        var repo = await server.CreateRepoAsync();
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { ["-test/file"] = "x" });

        var commits = await CallAsync(Request(repo, head, "-test/", limit: 25));

        Assert.Equal("-test/file", Assert.Single(commits).PathBytes.ToStringUtf8());
    }

    [Theory]
    [InlineData("", 0, 0, "empty revision")]
    [InlineData("--output=/meow", 0, 0, "revision can't start with '-'")]
    [InlineData("main", -1, 25, "offset negative")]
    [InlineData("main", 0, -1, "limit negative")]
    public async Task ListLastCommitsForTree_InvalidRequest_InvalidArgument(string revision, int offset, int limit, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, revision, "/", limit, offset)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task ListLastCommitsForTree_UnknownRevision_InternalExitStatus()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, "nope", "/", 25)));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("exit status 128", e.Status.Detail);
    }

    private static Dictionary<string, object> Tree(TestRepo repo, string changing) => new()
    {
        ["changed"] = changing,
        ["unchanged"] = "unchanged",
        ["subdir/subdir-changed"] = changing,
        ["subdir/subdir-unchanged"] = "unchanged",
        ["sub"] = new TreeFile(Mode: "160000", Oid: new string('5', repo.HexLength)),
    };

    private static ListLastCommitsForTreeRequest Request(TestRepo repo, string revision, string path, int limit, int offset = 0) => new()
    {
        Repository = ServerFixture.Proto(repo),
        Revision = revision,
        Path = ByteString.CopyFrom(Encoding.UTF8.GetBytes(path)),
        Limit = limit,
        Offset = offset,
    };

    private async Task<List<ListLastCommitsForTreeResponse.Types.CommitForTree>> CallAsync(ListLastCommitsForTreeRequest request)
    {
        using var call = server.Commit.ListLastCommitsForTree(request);
        var commits = new List<ListLastCommitsForTreeResponse.Types.CommitForTree>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            commits.AddRange(response.Commits);
        }

        return commits;
    }
}
