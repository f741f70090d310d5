using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class FindCommitTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindCommit_BranchTagOrId_SameCommitAsGit(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, _) = await ListCommitsTests.MergeHistoryAsync(repo);
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1.0", merge);

        foreach (var revision in new[] { "main", "refs/heads/main", "v1.0", merge, merge[..10], "main~1", "side" })
        {
            var reply = await FindAsync(repo, revision);

            Assert.Equal(await CommitTestData.ExpectedAsync(repo, await repo.RevParseAsync(revision + "^{commit}")), reply.Commit);
        }
    }

    [Fact]
    public async Task FindCommit_NoSuchCommit_EmptyResponse()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "a" });
        var tree = await repo.RevParseAsync("main^{tree}");
        var blob = await repo.RevParseAsync("main:a.txt");

        foreach (var revision in new[] { "does-not-exist", new string('1', 40), tree, blob, "main~5" })
        {
            var reply = await FindAsync(repo, revision);

            Assert.True(reply.Commit is null, revision);
        }
    }

    [Fact]
    public async Task FindCommit_EmptyRepository_EmptyResponse()
    {
        var repo = await server.CreateRepoAsync();

        var reply = await FindAsync(repo, "HEAD");

        Assert.Null(reply.Commit);
    }

    [Fact]
    public async Task FindCommit_Trailers_ParsedLikeGitInterpretTrailers()
    {
        var repo = await server.CreateRepoAsync();
        var id = await repo.CommitAsync(message: "subject\n\nbody\n\nSigned-off-by: Jane <jane@example.com>\nChange-Id: I123\n  continued\nnot a trailer\n");
        var plain = await repo.CommitAsync(message: "subject\n\nSigned-off-by: me\n");

        var with = await FindAsync(repo, id, trailers: true);
        var without = await FindAsync(repo, id);
        var simple = await FindAsync(repo, plain, trailers: true);

        var expected = await repo.GitAsync("log", "-1", "--format=%(trailers:unfold,separator=%x00)", id);
        Assert.Equal(expected.Split('\0').Where(t => t.Contains(':', StringComparison.Ordinal)).Select(t => t[..t.IndexOf(':', StringComparison.Ordinal)]),
            with.Commit.Trailers.Select(t => t.Key.ToStringUtf8()));
        Assert.Empty(without.Commit.Trailers);
        var trailer = Assert.Single(simple.Commit.Trailers);
        Assert.Equal(("Signed-off-by", "me"), (trailer.Key.ToStringUtf8(), trailer.Value.ToStringUtf8()));
        var expectedWithout = await CommitTestData.ExpectedAsync(repo, id);
        Assert.Equal(expectedWithout, without.Commit);
    }

    [Fact]
    public async Task FindCommit_EncodingAndLargeBody_RawBytesTruncatedBody()
    {
        var repo = await server.CreateRepoAsync();
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object> { ["x"] = "x" });
        var body = new List<byte>(Encoding.ASCII.GetBytes("caf"));
        body.Add(0xe9);
        body.AddRange(Encoding.ASCII.GetBytes("\n\n" + new string('m', 12 * 1024) + "\n"));
        var raw = Encoding.ASCII.GetBytes($"tree {tree}\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\nencoding windows-1252\n\n")
            .Concat(body).ToArray();
        var id = await CommitTestData.WriteRawCommitAsync(repo, raw);

        var reply = await FindAsync(repo, id);

        Assert.Equal(await CommitTestData.ExpectedAsync(repo, id), reply.Commit);
        Assert.Equal("windows-1252", reply.Commit.Encoding);
        Assert.Equal(body.Count, reply.Commit.BodySize);
        Assert.Equal(10 * 1024, reply.Commit.Body.Length);
        Assert.Equal(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xe9 }, reply.Commit.Subject.ToByteArray());
    }

    [Fact]
    public async Task FindCommit_OddIdentityLines_ParsedAsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object> { ["f"] = "f" });
        var raw = Encoding.ASCII.GetBytes(
            $"tree {tree}\nauthor No Email\ncommitter Far Future <ff@example.com> 99999999999999999 +0100 extra\n\nodd\n");
        var id = await CommitTestData.WriteRawCommitAsync(repo, raw);
        var raw2 = Encoding.ASCII.GetBytes(
            $"tree {tree}\nauthor Neg <n@example.com> -5 -0100\ncommitter NoDate <nd@example.com>\n\nodd\n");
        var id2 = await CommitTestData.WriteRawCommitAsync(repo, raw2);

        var commit = (await FindAsync(repo, id)).Commit;
        var commit2 = (await FindAsync(repo, id2)).Commit;

        // Gitaly's parseCommitAuthor: no '<' leaves only the name; a date beyond 2^53 or below zero becomes Go's
        // maximum time; a third field drops the timezone; no date leaves the date unset.
        Assert.Equal("No Email", commit.Author.Name.ToStringUtf8());
        Assert.True(commit.Author.Email.IsEmpty);
        Assert.Null(commit.Author.Date);
        Assert.Equal(9223371974719179007, commit.Committer.Date.Seconds);
        Assert.True(commit.Committer.Timezone.IsEmpty);
        Assert.Equal(9223371974719179007, commit2.Author.Date.Seconds);
        Assert.Equal("-0100", commit2.Author.Timezone.ToStringUtf8());
        Assert.Null(commit2.Committer.Date);
        Assert.Equal("nd@example.com", commit2.Committer.Email.ToStringUtf8());
    }

    [Fact]
    public async Task FindCommit_NonUtf8BranchName_Resolved()
    {
        var repo = await server.CreateRepoAsync();
        var id = await repo.CommitAsync();
        byte[] name = [.. "refs/heads/br"u8, 0xe9, 0xff];
        await CommitTestData.UpdateRawRefAsync(repo, name, id);

        var reply = await server.Commit.FindCommitAsync(new FindCommitRequest { Repository = ServerFixture.Proto(repo), Revision = ByteString.CopyFrom(name) });

        Assert.Equal(id, reply.Commit?.Id);
    }

    [Fact]
    public async Task FindCommit_SignedCommits_SignatureType()
    {
        var repo = await server.CreateRepoAsync();
        var (pgp, _, _) = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig", CommitTestData.PgpSignature, "pgp\n");
        var (ssh, _, _) = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig-sha256", CommitTestData.SshSignature, "ssh\n");

        Assert.Equal(SignatureType.Pgp, (await FindAsync(repo, pgp)).Commit.SignatureType);
        Assert.Equal(SignatureType.Ssh, (await FindAsync(repo, ssh)).Commit.SignatureType);
        Assert.Equal(await CommitTestData.ExpectedAsync(repo, pgp), (await FindAsync(repo, pgp)).Commit);
    }

    [Theory]
    [InlineData("", "empty revision")]
    [InlineData("-master", "revision can't start with '-'")]
    [InlineData("mas:ter", "revision can't contain ':'")]
    public async Task FindCommit_InvalidRevision_InvalidArgument(string revision, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => FindAsync(repo, revision));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task FindCommit_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.FindCommitAsync(new FindCommitRequest
        {
            Revision = ByteString.CopyFromUtf8("main"),
        }));
        var storage = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.FindCommitAsync(new FindCommitRequest
        {
            Repository = new Gitaly.Repository { StorageName = "fake", RelativePath = "path" },
            Revision = ByteString.CopyFromUtf8("main"),
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, storage.StatusCode);
    }

    private async Task<FindCommitResponse> FindAsync(TestRepo repo, string revision, bool trailers = false) =>
        await server.Commit.FindCommitAsync(new FindCommitRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8(revision),
            Trailers = trailers,
        });
}
