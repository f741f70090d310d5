using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Blob;

public sealed class GetLFSPointersTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetLFSPointers_MixedIds_OnlyPointersInRequestOrder(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync();
        var tree = await repo.RevParseAsync("main^{tree}");
        var pointer1 = await repo.WriteBlobAsync(LfsPointerTestData.Pointer1);
        var pointer2 = await repo.WriteBlobAsync(LfsPointerTestData.Pointer2);
        var unordered = await repo.WriteBlobAsync(LfsPointerTestData.Unordered);
        var plain = await repo.WriteBlobAsync("not a pointer");
        var missing = new string('e', repo.HexLength);

        var pointers = await CallAsync(repo, pointer2, plain, tree, commit, missing, pointer1, unordered, pointer2);

        Assert.Equal([pointer2, pointer1, unordered, pointer2], pointers.Select(p => p.Oid));
        Assert.Equal(LfsPointerTestData.Pointer2, pointers[0].Data.ToByteArray());
        Assert.Equal(LfsPointerTestData.Pointer2.Length, pointers[0].Size);
        Assert.Equal(LfsPointerTestData.FileOid2, pointers[0].FileOid.ToStringUtf8());
        Assert.Equal(20, pointers[0].FileSize);
        Assert.Equal(LfsPointerTestData.FileOid1, pointers[1].FileOid.ToStringUtf8());
        Assert.Equal(1575078, pointers[1].FileSize);
        Assert.Equal(12345, pointers[2].FileSize);
    }

    [Fact]
    public async Task GetLFSPointers_NearMisses_NotPointers()
    {
        var repo = await server.CreateRepoAsync();
        var ids = new List<string>();
        foreach (var blob in LfsPointerTestData.NotPointers)
        {
            ids.Add(await repo.WriteBlobAsync(blob));
        }

        Assert.Empty(await CallAsync(repo, [.. ids]));
    }

    [Fact]
    public async Task GetLFSPointers_SizeEdge_TwoHundredBytesIncludedMoreNot()
    {
        var repo = await server.CreateRepoAsync();
        var at = await repo.WriteBlobAsync(LfsPointerTestData.PointerOfSize(200));
        var over = await repo.WriteBlobAsync(LfsPointerTestData.PointerOfSize(201));

        var pointers = await CallAsync(repo, at, over);

        Assert.Equal([at], pointers.Select(p => p.Oid));
        Assert.Equal(200, pointers[0].Size);
    }

    [Fact]
    public async Task GetLFSPointers_RevisionSyntax_ResolvedLikeCatFile()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big.lfs"] = LfsPointerTestData.Pointer1 });

        var only = Assert.Single(await CallAsync(repo, "main:big.lfs"));

        Assert.Equal(await repo.RevParseAsync("main:big.lfs"), only.Oid);
    }

    [Fact]
    public async Task GetLFSPointers_NoBlobIds_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("empty BlobIds", e.Status.Detail);
    }

    [Fact]
    public async Task GetLFSPointers_NoRepository_InvalidArgument()
    {
        var request = new GetLFSPointersRequest();
        request.BlobIds.Add("f00");
        using var call = server.Blob.GetLFSPointers(request);

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<LFSPointer>> CallAsync(TestRepo repo, params string[] ids)
    {
        var request = new GetLFSPointersRequest { Repository = ServerFixture.Proto(repo) };
        request.BlobIds.AddRange(ids);
        using var call = server.Blob.GetLFSPointers(request);
        var pointers = new List<LFSPointer>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            pointers.AddRange(message.LfsPointers);
        }

        return pointers;
    }
}
