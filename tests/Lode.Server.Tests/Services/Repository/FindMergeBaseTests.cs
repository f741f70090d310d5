using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class FindMergeBaseTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindMergeBase_DivergedBranches_ReturnsGitMergeBase(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var root = await repo.CommitAsync(branch: "main", message: "root");
        var fork = await repo.CommitAsync(branch: "main", message: "fork point");
        await repo.GitAsync("update-ref", "refs/heads/feature", fork);
        await repo.CommitAsync(branch: "main", message: "main only");
        await repo.CommitAsync(branch: "feature", message: "feature only");

        var reply = await CallAsync(repo, "main", "feature");

        Assert.Equal(await repo.GitAsync("merge-base", "main", "feature"), reply.Base);
        Assert.Equal(fork, reply.Base);
        Assert.NotEqual(root, reply.Base);
    }

    [Fact]
    public async Task FindMergeBase_ThreeRevisionsWithMerge_MatchesGit()
    {
        var repo = await server.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "a", message: "a");
        var b = await repo.CommitAsync(branch: "b", message: "b", parents: [a]);
        var c = await repo.CommitAsync(branch: "c", message: "c", parents: [a]);
        var merge = await repo.CommitAsync(branch: "m", message: "merge", parents: [b, c]);
        await repo.CommitAsync(branch: "b", message: "b2");

        var reply = await CallAsync(repo, "m", "b", c);

        Assert.Equal(await repo.GitAsync("merge-base", "m", "b", c), reply.Base);
        Assert.Equal(merge, await repo.RevParseAsync("m"));
    }

    [Fact]
    public async Task FindMergeBase_UnrelatedHistories_EmptyBase()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "one", message: "one");
        await repo.CommitAsync(branch: "two", message: "two");

        var reply = await CallAsync(repo, "one", "two");

        Assert.Equal(string.Empty, reply.Base);
    }

    [Theory]
    [InlineData("refs/heads/missing")]
    [InlineData("-dashed")]
    public async Task FindMergeBase_RevisionDoesNotResolve_EmptyBase(string revision)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var reply = await CallAsync(repo, "main", revision);

        Assert.Equal(string.Empty, reply.Base);
    }

    [Fact]
    public async Task FindMergeBase_NonUtf8BranchName_Resolved()
    {
        var repo = await server.CreateRepoAsync();
        var fork = await repo.CommitAsync(branch: "main", message: "fork");
        var side = await repo.CommitAsync(branch: "", message: "side", parents: [fork]);
        await repo.CommitAsync(branch: "main", message: "main");
        byte[] name = [.. "refs/heads/caf"u8, 0xe9];
        await repo.GitBytesAsync(["update-ref", "-z", "--stdin"], [.. "update "u8, .. name, 0, .. System.Text.Encoding.ASCII.GetBytes(side), 0, 0]);

        var request = new FindMergeBaseRequest { Repository = ServerFixture.Proto(repo) };
        request.Revisions.Add(ByteString.CopyFromUtf8("main"));
        request.Revisions.Add(ByteString.CopyFrom(name));
        var reply = await server.Repository.FindMergeBaseAsync(request);

        Assert.Equal(await repo.GitAsync("merge-base", "main", side), reply.Base);
        Assert.Equal(fork, reply.Base);
    }

    [Fact]
    public async Task FindMergeBase_OneRevision_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "main"));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("at least 2 revisions are required", e.Status.Detail);
    }

    [Fact]
    public async Task FindMergeBase_NoRepository_InvalidArgument()
    {
        var request = new FindMergeBaseRequest();
        request.Revisions.Add(ByteString.CopyFromUtf8("a"));
        request.Revisions.Add(ByteString.CopyFromUtf8("b"));

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.FindMergeBaseAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task FindMergeBase_MissingRepository_NotFound()
    {
        var request = new FindMergeBaseRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
        };
        request.Revisions.Add(ByteString.CopyFromUtf8("a"));
        request.Revisions.Add(ByteString.CopyFromUtf8("b"));

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.FindMergeBaseAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    private async Task<FindMergeBaseResponse> CallAsync(TestRepo repo, params string[] revisions)
    {
        var request = new FindMergeBaseRequest { Repository = ServerFixture.Proto(repo) };
        request.Revisions.AddRange(revisions.Select(ByteString.CopyFromUtf8));
        return await server.Repository.FindMergeBaseAsync(request);
    }
}
