using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class LastCommitForPathTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task LastCommitForPath_Paths_MatchGitLog(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["file"] = "unmodified", ["delete-me"] = "x" });
        await repo.CommitAsync(files: new Dictionary<string, object> { ["file"] = "unmodified" });
        await repo.CommitAsync(files: new Dictionary<string, object> { ["file"] = "modified", ["dir/a"] = "a" });
        await repo.CommitAsync(files: new Dictionary<string, object> { ["file"] = "modified", ["dir/a"] = "a", [":wq"] = "glob" });
        var latest = await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["file"] = "modified",
            ["dir/a"] = "a",
            [":wq"] = "glob",
            ["uninteresting"] = "u",
        });

        foreach (var path in new[] { "file", "delete-me", "dir", "dir/a", "", "/", "*" })
        {
            var response = await server.Commit.LastCommitForPathAsync(Request(repo, latest, path));
            var expected = await repo.GitAsync("log", "--format=%H", "--max-count=1", latest, "--", path is "" or "/" ? "." : path);
            Assert.Equal(expected, response.Commit.Id);
        }

        var commit = (await server.Commit.LastCommitForPathAsync(Request(repo, latest, "file"))).Commit;
        Assert.Equal(await repo.GitAsync("log", "--format=%T %s %an", "--max-count=1", "--", "file"),
            $"{commit.TreeId} {commit.Subject.ToStringUtf8()} {commit.Author.Name.ToStringUtf8()}");
    }

    [Fact]
    public async Task LastCommitForPath_MissingFile_EmptyResponse()
    {
        var repo = await server.CreateRepoAsync();
        var head = await repo.CommitAsync();

        var response = await server.Commit.LastCommitForPathAsync(Request(repo, head, "does-not-exist"));

        Assert.Null(response.Commit);
    }

    [Fact]
    public async Task LastCommitForPath_LiteralPathspec_MatchesMagicLookingName()
    {
        var repo = await server.CreateRepoAsync();
        var glob = await repo.CommitAsync(files: new Dictionary<string, object> { [":wq"] = "glob" });
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { [":wq"] = "glob", ["other"] = "o" });

        var literal = Request(repo, head, ":wq");
        literal.LiteralPathspec = true;
        var global = Request(repo, head, ":wq");
        global.GlobalOptions = new GlobalOptions { LiteralPathspecs = true };

        Assert.Equal(glob, (await server.Commit.LastCommitForPathAsync(literal)).Commit.Id);
        Assert.Equal(glob, (await server.Commit.LastCommitForPathAsync(global)).Commit.Id);
        Assert.Null((await server.Commit.LastCommitForPathAsync(Request(repo, head, ":wq"))).Commit);
    }

    [Fact]
    public async Task LastCommitForPath_NonUtf8Path_FoundThroughStdin()
    {
        var repo = await server.CreateRepoAsync();
        byte[] raw = [(byte)'f', 0xE9];
        var first = await repo.CommitAsync(files: new Dictionary<string, object> { ["x"] = new TreeFile("v"u8.ToArray(), RawPath: raw) });
        var head = await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["x"] = new TreeFile("v"u8.ToArray(), RawPath: raw),
            ["y"] = "y",
        });

        var request = Request(repo, head, "");
        request.Path = ByteString.CopyFrom(raw);
        var response = await server.Commit.LastCommitForPathAsync(request);

        Assert.Equal(first, response.Commit.Id);
    }

    [Fact]
    public async Task LastCommitForPath_MergeCommit_AsGitLog()
    {
        var repo = await server.CreateRepoAsync();
        var root = await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "1", ["b"] = "1" });
        var side = await repo.CommitAsync(branch: "side", files: new Dictionary<string, object> { ["a"] = "1", ["b"] = "2" }, parents: [root]);
        var main = await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "2", ["b"] = "1" });
        var merge = await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "2", ["b"] = "2" }, parents: [main, side]);

        foreach (var path in new[] { "a", "b" })
        {
            var response = await server.Commit.LastCommitForPathAsync(Request(repo, merge, path));
            Assert.Equal(await repo.GitAsync("log", "--format=%H", "--max-count=1", merge, "--", path), response.Commit.Id);
        }
    }

    [Theory]
    [InlineData("", "file", "empty revision")]
    [InlineData("--output=/meow", "file", "revision can't start with '-'")]
    [InlineData("main", "/absolute", "path is an absolute path")]
    [InlineData("main", "foo/bar/../../../baz", "path escapes repository")]
    public async Task LastCommitForPath_InvalidRequest_InvalidArgument(string revision, string path, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.LastCommitForPathAsync(Request(repo, revision, path)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task LastCommitForPath_UnknownRevision_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.LastCommitForPathAsync(Request(repo, "nope", "README.md")));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("logging last commit for path: exit status 128", e.Status.Detail);
    }

    private static LastCommitForPathRequest Request(TestRepo repo, string revision, string path) => new()
    {
        Repository = ServerFixture.Proto(repo),
        Revision = ByteString.CopyFromUtf8(revision),
        Path = ByteString.CopyFromUtf8(path),
    };
}
