using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;
using static Gitaly.GetRawChangesResponse.Types;
using static Gitaly.GetRawChangesResponse.Types.RawChange.Types;

namespace Lode.Server.Tests.Services.Repository;

public sealed class GetRawChangesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetRawChanges_ModifiedFile_BlobAfterTheChange(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var from = await repo.CommitAsync(branch: "main", files: Files(("path", "unchanged\n")));
        var to = await repo.CommitAsync(branch: "main", files: Files(("path", "changed\n")));

        var changes = await CallAsync(repo, from, to);

        var change = Assert.Single(changes);
        Assert.Equal(await repo.RevParseAsync(to + ":path"), change.BlobId);
        Assert.Equal(8, change.Size);
        Assert.Equal(Operation.Modified, change.Operation);
        Assert.Equal("path", change.OldPathBytes.ToStringUtf8());
        Assert.Equal("path", change.NewPathBytes.ToStringUtf8());
        Assert.Equal(0x81a4, change.OldMode);
        Assert.Equal(0x81a4, change.NewMode);
    }

    [Fact]
    public async Task GetRawChanges_ZeroFrom_EverythingAdded()
    {
        var repo = await server.CreateRepoAsync();
        var to = await repo.CommitAsync(branch: "main", files: Files(("a", "blob data\n"), ("dir/b", "b\n")));

        var changes = await CallAsync(repo, repo.ZeroOid, to);

        Assert.Equal(["a", "dir/b"], changes.Select(c => c.NewPathBytes.ToStringUtf8()));
        Assert.All(changes, c =>
        {
            Assert.Equal(Operation.Added, c.Operation);
            Assert.True(c.OldPathBytes.IsEmpty);
            Assert.Equal(0, c.OldMode);
        });
        Assert.Equal(10, changes[0].Size);
    }

    [Fact]
    public async Task GetRawChanges_ZeroTo_NoChanges()
    {
        var repo = await server.CreateRepoAsync();
        var from = await repo.CommitAsync(branch: "main");

        Assert.Empty(await CallAsync(repo, from, repo.ZeroOid));
    }

    [Fact]
    public async Task GetRawChanges_DeletedFile_BlobBeforeTheChange()
    {
        var repo = await server.CreateRepoAsync();
        var from = await repo.CommitAsync(branch: "main", files: Files(("keep", "k\n"), ("gone", "deleted content\n")));
        var to = await repo.CommitAsync(branch: "main", files: Files(("keep", "k\n")));

        var change = Assert.Single(await CallAsync(repo, from, to));

        Assert.Equal(Operation.Deleted, change.Operation);
        Assert.Equal(await repo.RevParseAsync(from + ":gone"), change.BlobId);
        Assert.Equal(16, change.Size);
        Assert.Equal("gone", change.OldPathBytes.ToStringUtf8());
        Assert.True(change.NewPathBytes.IsEmpty);
        Assert.Equal(0, change.NewMode);
    }

    [Fact]
    public async Task GetRawChanges_RenamedFile_BothPaths()
    {
        var repo = await server.CreateRepoAsync();
        var from = await repo.CommitAsync(branch: "main", files: Files(("from-path", "blob that is to be renamed\n")));
        var to = await repo.CommitAsync(branch: "main", files: Files(("to-path", "blob that is to be renamed\n")));

        var change = Assert.Single(await CallAsync(repo, from, to));

        Assert.Equal(Operation.Renamed, change.Operation);
        Assert.Equal("from-path", change.OldPathBytes.ToStringUtf8());
        Assert.Equal("to-path", change.NewPathBytes.ToStringUtf8());
        Assert.Equal(27, change.Size);
    }

    [Fact]
    public async Task GetRawChanges_ModeChange_Modified()
    {
        var repo = await server.CreateRepoAsync();
        var blob = await repo.WriteBlobAsync("unmodified\n");
        var from = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["path"] = new TreeFile(Oid: blob) });
        var to = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["path"] = new TreeFile(Oid: blob, Mode: "100755") });

        var change = Assert.Single(await CallAsync(repo, from, to));

        Assert.Equal(Operation.Modified, change.Operation);
        Assert.Equal(0x81a4, change.OldMode);
        Assert.Equal(0x81ed, change.NewMode);
        Assert.Equal(blob, change.BlobId);
    }

    [Fact]
    public async Task GetRawChanges_FileBecomesSymlink_TypeChanged()
    {
        var repo = await server.CreateRepoAsync();
        var from = await repo.CommitAsync(branch: "main", files: Files(("target", "t\n"), ("link", "plain file\n")));
        var to = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            ["target"] = "t\n",
            ["link"] = new TreeFile("target"u8.ToArray(), Mode: "120000"),
        });

        var change = Assert.Single(await CallAsync(repo, from, to));

        Assert.Equal(Operation.TypeChanged, change.Operation);
        Assert.Equal(0xa000, change.NewMode);
        Assert.Equal(0x81a4, change.OldMode);
        Assert.Equal(6, change.Size);
    }

    [Fact]
    public async Task GetRawChanges_SubmoduleAdded_NoBlob()
    {
        var repo = await server.CreateRepoAsync();
        var from = await repo.CommitAsync(branch: "main", files: Files(("a", "a\n")));
        var submoduleCommit = new string('1', repo.HexLength);
        var to = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            ["a"] = "a\n",
            ["sub"] = new TreeFile(Mode: "160000", Oid: submoduleCommit),
        });

        var change = Assert.Single(await CallAsync(repo, from, to));

        Assert.Equal(Operation.Added, change.Operation);
        Assert.Equal(0xe000, change.NewMode);
        Assert.Equal(string.Empty, change.BlobId);
        Assert.Equal(0, change.Size);
    }

    [Fact]
    public async Task GetRawChanges_NonUtf8Path_BytesKept()
    {
        var repo = await server.CreateRepoAsync();
        byte[] path = [.. "hello"u8, 0x80, .. "world"u8];
        var from = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["x"] = new TreeFile("unchanged\n"u8.ToArray(), RawPath: path) });
        var to = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["x"] = new TreeFile("changed\n"u8.ToArray(), RawPath: path) });

        var change = Assert.Single(await CallAsync(repo, from, to));

        Assert.Equal(path, change.OldPathBytes.ToByteArray());
        Assert.Equal(path, change.NewPathBytes.ToByteArray());
    }

    [Fact]
    public async Task GetRawChanges_ManyFiles_SameAsGitDiffNameStatus()
    {
        var repo = await server.CreateRepoAsync();
        var before = Enumerable.Range(0, 1500).ToDictionary(i => $"path-{i:D4}", i => (object)"from\n");
        var after = Enumerable.Range(0, 1500).ToDictionary(i => $"path-{i:D4}", i => (object)(i % 3 == 0 ? "to\n" : "from\n"));
        var from = await repo.CommitAsync(branch: "main", files: before);
        var to = await repo.CommitAsync(branch: "main", files: after);

        var changes = await CallAsync(repo, from, to);

        Assert.Equal(
            await repo.GitLinesAsync("diff", "--name-only", from, to),
            changes.Select(c => c.NewPathBytes.ToStringUtf8()));
        Assert.All(changes, c => Assert.Equal(3, c.Size));
    }

    [Fact]
    public async Task GetRawChanges_EmptyFrom_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "", new string('a', 40)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid 'from' revision: \"\"", e.Status.Detail);
    }

    [Fact]
    public async Task GetRawChanges_MissingCommit_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        var missing = new string('b', repo.HexLength);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, missing, missing));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal($"invalid 'from' revision: \"{missing}\"", e.Status.Detail);
    }

    [Fact]
    public async Task GetRawChanges_MissingTo_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        var from = await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, from, "refs/heads/nope"));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid 'to' revision: \"refs/heads/nope\"", e.Status.Detail);
    }

    [Fact]
    public async Task GetRawChanges_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.GetRawChanges(new GetRawChangesRequest { FromRevision = "a", ToRevision = "b" });

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static Dictionary<string, object> Files(params (string Path, string Content)[] files) =>
        files.ToDictionary(f => f.Path, f => (object)f.Content);

    private async Task<List<RawChange>> CallAsync(TestRepo repo, string from, string to)
    {
        using var call = server.Repository.GetRawChanges(new GetRawChangesRequest
        {
            Repository = ServerFixture.Proto(repo),
            FromRevision = from,
            ToRevision = to,
        });
        var changes = new List<RawChange>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            changes.AddRange(response.RawChanges);
        }

        return changes;
    }
}
