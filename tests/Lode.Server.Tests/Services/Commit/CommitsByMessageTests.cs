using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class CommitsByMessageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1", "revision")]
    [InlineData("sha256", "revision")]
    [InlineData("sha1", "default branch")]
    [InlineData("sha1", "offset+limit")]
    [InlineData("sha1", "path")]
    public async Task CommitsByMessage_Options_MatchGitLogGrep(string format, string option)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(message: "Fix the parser\n", files: new Dictionary<string, object> { ["a"] = "1" });
        await repo.CommitAsync(message: "unrelated\n", files: new Dictionary<string, object> { ["a"] = "1", ["b"] = "2" });
        await repo.CommitAsync(message: "another FIX\n", files: new Dictionary<string, object> { ["a"] = "3", ["b"] = "2" });
        await repo.CommitAsync(message: "fix b\n", files: new Dictionary<string, object> { ["a"] = "3", ["b"] = "4" });
        await repo.CommitAsync(branch: "other", message: "fix elsewhere\n", parents: []);
        var request = new CommitsByMessageRequest { Repository = ServerFixture.Proto(repo), Query = "fix", Revision = ByteString.CopyFromUtf8("main") };
        List<string> args = ["log", "--pretty=%H", "--grep=fix", "--regexp-ignore-case", "main"];
        switch (option)
        {
            case "default branch":
                request.Revision = ByteString.Empty;
                break;
            case "offset+limit":
                request.Offset = 1;
                request.Limit = 1;
                args.AddRange(["--skip=1", "--max-count=1"]);
                break;
            case "path":
                request.Path = ByteString.CopyFromUtf8("b");
                args.AddRange(["--", "b"]);
                break;
        }

        var commits = await FindAsync(request);

        var expected = await repo.GitLinesAsync([.. args]);
        Assert.NotEmpty(expected);
        Assert.Equal(await CommitTestData.ExpectedAsync(repo, expected), commits);
    }

    [Fact]
    public async Task CommitsByMessage_EmptyRepository_EmptyStream()
    {
        var repo = await server.CreateRepoAsync();

        var commits = await FindAsync(new CommitsByMessageRequest { Repository = ServerFixture.Proto(repo), Query = "fix" });

        Assert.Empty(commits);
    }

    [Theory]
    [InlineData("main", "", "empty Query")]
    [InlineData("-main", "fix", "revision can't start with '-'")]
    public async Task CommitsByMessage_BadRequest_InvalidArgument(string revision, string query, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => FindAsync(new CommitsByMessageRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8(revision),
            Query = query,
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    private async Task<List<GitCommit>> FindAsync(CommitsByMessageRequest request)
    {
        using var call = server.Commit.CommitsByMessage(request);
        var commits = new List<GitCommit>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            commits.AddRange(response.Commits);
        }

        return commits;
    }
}
