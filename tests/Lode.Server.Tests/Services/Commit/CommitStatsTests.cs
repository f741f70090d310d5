using System.Globalization;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class CommitStatsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task CommitStats_RootChangeBinaryRenameMerge_MatchDiffNumstat(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var root = await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["a"] = "1\n2\n3\n4\n5\n",
            ["b"] = "1\n2\n3\n4\n5\n",
            ["binary"] = new byte[] { 1, 2, 0, 4, 5 },
            ["moved"] = "a long enough line to be detected as a rename\nsecond line\nthird line\n",
        });
        var change = await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["a"] = "1\n2\n3\n4\n4.a\n5\n",
            ["b"] = "1\n3\n4\n5\n",
            ["binary"] = new byte[] { 9, 2, 0, 4, 5 },
            ["renamed"] = "a long enough line to be detected as a rename\nsecond line\nthird line\n",
        });
        var side = await repo.CommitAsync(branch: "side", parents: [root], files: new Dictionary<string, object>
        {
            ["a"] = "1\n2\n3\n4\n5\n",
            ["b"] = "1\n2\n3\n4\n5\n",
            ["binary"] = new byte[] { 1, 2, 0, 4, 5 },
            ["moved"] = "a long enough line to be detected as a rename\nsecond line\nthird line\n",
            ["c"] = "new\n",
        });
        var merge = await repo.CommitAsync(parents: [change, side], files: new Dictionary<string, object>
        {
            ["a"] = "1\n2\n3\n4\n4.a\n5\n",
            ["b"] = "rogue\n",
            ["binary"] = new byte[] { 9, 2, 0, 4, 5 },
            ["renamed"] = "a long enough line to be detected as a rename\nsecond line\nthird line\n",
            ["c"] = "new\n",
        });

        foreach (var commit in new[] { root, change, side, merge })
        {
            var reply = await server.Commit.CommitStatsAsync(new CommitStatsRequest
            {
                Repository = ServerFixture.Proto(repo),
                Revision = ByteString.CopyFromUtf8(commit),
            });

            var parent = commit == root ? EmptyTree(repo) : commit + "^";
            var lines = await repo.GitLinesAsync("diff", "--numstat", parent, commit);
            var added = lines.Sum(l => l.StartsWith('-') ? 0 : int.Parse(l.Split('\t')[0], CultureInfo.InvariantCulture));
            var deleted = lines.Sum(l => l.StartsWith('-') ? 0 : int.Parse(l.Split('\t')[1], CultureInfo.InvariantCulture));
            Assert.Equal((commit, added, deleted, lines.Length), (reply.Oid, reply.Additions, reply.Deletions, reply.Files));
        }

        var byBranch = await server.Commit.CommitStatsAsync(new CommitStatsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("side"),
        });
        Assert.Equal(side, byBranch.Oid);
        Assert.Equal((1, 0, 1), (byBranch.Additions, byBranch.Deletions, byBranch.Files));
    }

    [Fact]
    public async Task CommitStats_UnknownRevision_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CommitStatsAsync(new CommitStatsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("non/existing"),
        }));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("object not found", e.Status.Detail);
    }

    [Theory]
    [InlineData("--outpu=/meow", "revision can't start with '-'")]
    [InlineData("", "empty revision")]
    public async Task CommitStats_InvalidRevision_InvalidArgument(string revision, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CommitStatsAsync(new CommitStatsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8(revision),
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    private static string EmptyTree(TestRepo repo) => repo.ObjectFormat == "sha256"
        ? "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"
        : "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
}
