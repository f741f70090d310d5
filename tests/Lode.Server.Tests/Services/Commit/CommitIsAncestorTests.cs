using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class CommitIsAncestorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task CommitIsAncestor_AllPairs_MatchMergeBaseIsAncestor(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, ids) = await ListCommitsTests.MergeHistoryAsync(repo);
        string[] revisions = [merge, .. ids, "main", "side", "does-not-exist", repo.ZeroOid];

        foreach (var ancestor in revisions)
        {
            foreach (var child in revisions)
            {
                var reply = await server.Commit.CommitIsAncestorAsync(new CommitIsAncestorRequest
                {
                    Repository = ServerFixture.Proto(repo),
                    AncestorId = ancestor,
                    ChildId = child,
                });

                var expected = await IsAncestorAsync(repo, ancestor, child);
                Assert.True(expected == reply.Value, $"{ancestor} {child}");
            }
        }
    }

    [Theory]
    [InlineData("", "b", "empty ancestor sha")]
    [InlineData("a", "", "empty child sha")]
    public async Task CommitIsAncestor_EmptyId_InvalidArgument(string ancestor, string child, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CommitIsAncestorAsync(new CommitIsAncestorRequest
        {
            Repository = ServerFixture.Proto(repo),
            AncestorId = ancestor,
            ChildId = child,
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task CommitIsAncestor_MissingRepository_NotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CommitIsAncestorAsync(new CommitIsAncestorRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
            AncestorId = "a",
            ChildId = "b",
        }));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    private static async Task<bool> IsAncestorAsync(TestRepo repo, string ancestor, string child)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git")
        {
            ArgumentList = { "--git-dir=" + repo.Path, "merge-base", "--is-ancestor", ancestor, child },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["GIT_CONFIG_GLOBAL"] = "/dev/null", ["GIT_CONFIG_NOSYSTEM"] = "1" },
        })!;
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }
}
