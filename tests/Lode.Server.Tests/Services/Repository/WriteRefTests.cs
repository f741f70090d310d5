using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class WriteRefTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task WriteRef_UpdateWithoutOldRevision_RefMoves(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var old = await repo.CommitAsync(branch: "branch");
        var next = await repo.CommitAsync(branch: "", parents: [old]);

        await CallAsync(repo, "refs/heads/branch", next);

        Assert.Equal(next, await repo.RevParseAsync("refs/heads/branch"));
    }

    [Fact]
    public async Task WriteRef_UpdateWithMatchingOldRevision_RefMoves()
    {
        var repo = await server.CreateRepoAsync();
        var old = await repo.CommitAsync(branch: "branch");
        var next = await repo.CommitAsync(branch: "", parents: [old]);

        await CallAsync(repo, "refs/heads/branch", next, old);

        Assert.Equal(next, await repo.RevParseAsync("refs/heads/branch"));
    }

    [Fact]
    public async Task WriteRef_RevisionIsAName_ResolvedToItsObject()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        await CallAsync(repo, "refs/heads/copy", "main");

        Assert.Equal(commit, await repo.RevParseAsync("refs/heads/copy"));
    }

    [Fact]
    public async Task WriteRef_CreateWithZeroOldRevision_Created()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");

        await CallAsync(repo, "refs/heads/new", commit, repo.ZeroOid);

        Assert.Equal(commit, await repo.RevParseAsync("refs/heads/new"));
    }

    [Fact]
    public async Task WriteRef_DeleteWithZeroRevision_Deleted()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "branch");

        await CallAsync(repo, "refs/heads/branch", repo.ZeroOid, commit);

        Assert.Null(await repo.TryRevParseAsync("refs/heads/branch"));
    }

    [Fact]
    public async Task WriteRef_PointsAtTagObject_RefHoldsTheTagItself()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1", commit);
        var tag = await repo.RevParseAsync("refs/tags/v1");

        await CallAsync(repo, "refs/tags/copy", "refs/tags/v1");

        Assert.Equal(tag, await repo.RevParseAsync("refs/tags/copy"));
        Assert.NotEqual(commit, tag);
    }

    [Fact]
    public async Task WriteRef_NonUtf8ReferenceName_WrittenByteForByte()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        byte[] name = [.. "refs/heads/caf"u8, 0xe9];

        await server.Repository.WriteRefAsync(new WriteRefRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFrom(name),
            Revision = ByteString.CopyFromUtf8(commit),
        });

        var refs = await repo.GitBytesAsync(["for-each-ref", "--format=%(refname)%00%(objectname)", "refs/heads/"]);
        byte[] expected = [.. name, 0, .. Encoding.ASCII.GetBytes(commit), (byte)'\n'];
        Assert.Contains(Split(refs), line => line.AsSpan().SequenceEqual(expected));
    }

    [Fact]
    public async Task WriteRef_Head_BecomesSymbolicRefToRevision()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "new-default");

        await CallAsync(repo, "HEAD", "refs/heads/new-default");

        Assert.Equal("refs/heads/new-default", await repo.GitAsync("symbolic-ref", "HEAD"));
        Assert.False(File.Exists(Path.Combine(repo.Path, "HEAD.lock")));
    }

    [Fact]
    public async Task WriteRef_HeadToMissingBranch_StillWritten()
    {
        var repo = await server.CreateRepoAsync();

        await CallAsync(repo, "HEAD", "refs/heads/unborn");

        Assert.Equal("refs/heads/unborn", await repo.GitAsync("symbolic-ref", "HEAD"));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("refs/heads/a..b")]
    public async Task WriteRef_HeadToMalformedName_InvalidArgument(string target)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "HEAD", target));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("refs/heads/main", await repo.GitAsync("symbolic-ref", "HEAD"));
    }

    [Theory]
    [InlineData("refs/heads/branch", "", "invalid revision: empty revision")]
    [InlineData("", "main", "invalid ref: empty revision")]
    [InlineData("master", "main", "ref has to be a full reference")]
    [InlineData("refs/heads /master", "main", "invalid ref: revision can't contain whitespace")]
    [InlineData("refs/heads/master", "--output=/meow", "invalid revision: revision can't start with '-'")]
    public async Task WriteRef_InvalidRequest_InvalidArgumentWithGitalyMessage(string reference, string revision, string message)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, reference, revision));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task WriteRef_InvalidOldRevision_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "refs/heads/main", commit, "a b"));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid OldRevision: revision can't contain whitespace", e.Status.Detail);
    }

    [Fact]
    public async Task WriteRef_RevisionNotFound_NotFoundWithReferenceNotFoundError()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "refs/heads/main", "refs/heads/missing"));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("resolving new revision: reference not found", e.Status.Detail);
        var detail = Detail(e);
        Assert.Equal("refs/heads/missing", detail.ReferenceName.ToStringUtf8());
    }

    [Fact]
    public async Task WriteRef_OldRevisionNotFound_NotFoundWithReferenceNotFoundError()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var missing = new string('1', repo.HexLength);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "refs/heads/main", commit, missing));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("resolving old revision: reference not found", e.Status.Detail);
        Assert.Equal(missing, Detail(e).ReferenceName.ToStringUtf8());
    }

    [Fact]
    public async Task WriteRef_OldRevisionDoesNotMatch_FailedPreconditionAndRefUnchanged()
    {
        var repo = await server.CreateRepoAsync();
        var first = await repo.CommitAsync(branch: "main");
        var second = await repo.CommitAsync(branch: "main");
        var third = await repo.CommitAsync(branch: "", parents: [second]);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "refs/heads/main", third, first));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal(second, await repo.RevParseAsync("refs/heads/main"));
    }

    [Fact]
    public async Task WriteRef_CreateButRefExists_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "refs/heads/main", commit, repo.ZeroOid));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
    }

    [Fact]
    public async Task WriteRef_ReferenceLocked_Aborted()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "locked-branch");
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "refs", "heads", "locked-branch.lock"), commit + "\n");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "refs/heads/locked-branch", commit));

        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal("reference is locked already", e.Status.Detail);
    }

    [Fact]
    public async Task WriteRef_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.WriteRefAsync(new WriteRefRequest
        {
            Ref = ByteString.CopyFromUtf8("refs/heads/main"),
            Revision = ByteString.CopyFromUtf8("main"),
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task CallAsync(TestRepo repo, string reference, string revision, string? oldRevision = null)
    {
        var request = new WriteRefRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFromUtf8(reference),
            Revision = ByteString.CopyFromUtf8(revision),
        };
        if (oldRevision is not null)
        {
            request.OldRevision = ByteString.CopyFromUtf8(oldRevision);
        }

        await server.Repository.WriteRefAsync(request);
    }

    private static ReferenceNotFoundError Detail(RpcException e)
    {
        var detail = Assert.Single((e.GetRpcStatus() ?? throw new InvalidOperationException("no status details")).Details);
        Assert.Equal("type.googleapis.com/gitaly.ReferenceNotFoundError", detail.TypeUrl);
        return detail.Unpack<ReferenceNotFoundError>();
    }

    private static List<byte[]> Split(byte[] output)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] == (byte)'\n')
            {
                lines.Add(output[start..(i + 1)]);
                start = i + 1;
            }
        }

        return lines;
    }
}
