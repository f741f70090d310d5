using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Blob;

public sealed class ListLFSPointersTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListLFSPointers_Branch_PointersReachableFromIt(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var main = await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["one.lfs"] = LfsPointerTestData.Pointer1,
            ["plain.txt"] = "plain",
            ["dir/two.lfs"] = LfsPointerTestData.Pointer2,
        });
        await repo.CommitAsync(branch: "other", files: new Dictionary<string, object> { ["three.lfs"] = LfsPointerTestData.Unordered },
            parents: [main]);

        var pointers = await CallAsync(repo, ["main"]);

        Assert.Equal(
            new[] { await repo.RevParseAsync("main:one.lfs"), await repo.RevParseAsync("main:dir/two.lfs") }.Order(),
            pointers.Select(p => p.Oid).Order());
        var two = pointers.Single(p => p.FileSize == 20);
        Assert.Equal(LfsPointerTestData.Pointer2, two.Data.ToByteArray());
        Assert.Equal(LfsPointerTestData.FileOid2, two.FileOid.ToStringUtf8());
    }

    [Fact]
    public async Task ListLFSPointers_PseudoRevisions_AsRevList()
    {
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync(files: new Dictionary<string, object> { ["one.lfs"] = LfsPointerTestData.Pointer1 });
        await repo.CommitAsync(branch: "other", files: new Dictionary<string, object>
        {
            ["one.lfs"] = LfsPointerTestData.Pointer1,
            ["two.lfs"] = LfsPointerTestData.Pointer2,
        }, parents: [main]);

        var none = await CallAsync(repo, ["main", "--not", "--all"]);
        var otherOnly = await CallAsync(repo, ["--all", "--not", "main"]);

        Assert.Empty(none);
        Assert.Equal([await repo.RevParseAsync("other:two.lfs")], otherOnly.Select(p => p.Oid));
    }

    [Fact]
    public async Task ListLFSPointers_Limit_StopsThere()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["a.lfs"] = LfsPointerTestData.Pointer1,
            ["b.lfs"] = LfsPointerTestData.Pointer2,
            ["c.lfs"] = LfsPointerTestData.Unordered,
        });

        Assert.Equal(2, (await CallAsync(repo, ["main"], limit: 2)).Count);
    }

    [Fact]
    public async Task ListLFSPointers_TwoHundredBytes_LeftOutByBlobLimit()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["199.lfs"] = LfsPointerTestData.PointerOfSize(199),
            ["200.lfs"] = LfsPointerTestData.PointerOfSize(200),
        });

        var only = Assert.Single(await CallAsync(repo, ["main"]));

        Assert.Equal(199, only.Size);
    }

    [Fact]
    public async Task ListLFSPointers_ObjectIds_OnlyBlobsThatArePointers()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(files: new Dictionary<string, object> { ["x"] = "x" });
        var pointer = await repo.WriteBlobAsync(LfsPointerTestData.Pointer1);
        var plain = await repo.WriteBlobAsync("plain");

        var pointers = await CallAsync(repo, [pointer, plain, commit]);

        Assert.Equal([pointer], pointers.Select(p => p.Oid));
    }

    [Fact]
    public async Task ListLFSPointers_PushQuarantine_NewPointersFound()
    {
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync(files: new Dictionary<string, object> { ["old.lfs"] = LfsPointerTestData.Pointer1 });
        var quarantine = Path.Combine(repo.Path, "objects", "incoming-lfs");
        Directory.CreateDirectory(quarantine);
        var env = new Dictionary<string, string>
        {
            ["GIT_OBJECT_DIRECTORY"] = quarantine,
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = Path.Combine(repo.Path, "objects"),
        };
        var blob = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["hash-object", "-w", "--stdin"], LfsPointerTestData.Pointer2, env)).Trim();
        var oldBlob = await repo.RevParseAsync("main:old.lfs");
        var tree = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["mktree"],
            Encoding.ASCII.GetBytes($"100644 blob {blob}\tnew.lfs\n100644 blob {oldBlob}\told.lfs\n"), env)).Trim();
        var pushed = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["commit-tree", tree, "-p", main, "-m", "push"], env: env)).Trim();
        var proto = ServerFixture.Proto(repo);
        proto.GitObjectDirectory = "objects/incoming-lfs";
        proto.GitAlternateObjectDirectories.Add("objects");

        var pointers = await CallAsync(repo, [pushed, "--not", "--all"], repository: proto);
        var withoutQuarantine = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [pushed, "--not", "--all"]));

        Assert.Equal([blob], pointers.Select(p => p.Oid));
        Assert.Equal(StatusCode.Internal, withoutQuarantine.StatusCode);
    }

    [Fact]
    public async Task ListLFSPointers_NoRevisions_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, []));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("missing revisions", e.Status.Detail);
    }

    [Fact]
    public async Task ListLFSPointers_DashedRevision_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ["-dashed"]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid revision: revision can't start with '-'", e.Status.Detail);
    }

    private async Task<List<LFSPointer>> CallAsync(TestRepo repo, string[] revisions, int limit = 0, Gitaly.Repository? repository = null)
    {
        var request = new ListLFSPointersRequest { Repository = repository ?? ServerFixture.Proto(repo), Limit = limit };
        request.Revisions.AddRange(revisions);
        using var call = server.Blob.ListLFSPointers(request);
        var pointers = new List<LFSPointer>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            pointers.AddRange(message.LfsPointers);
        }

        return pointers;
    }
}
