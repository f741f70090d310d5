using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;
using BlobItem = Gitaly.ListAllBlobsResponse.Types.Blob;

namespace Lode.Server.Tests.Services.Blob;

public sealed class ListAllBlobsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ListAllBlobs_EmptyRepository_Nothing()
    {
        var repo = await server.CreateRepoAsync();

        Assert.Empty(await CallAsync(ServerFixture.Proto(repo), bytesLimit: -1));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListAllBlobs_ReachableAndUnreachable_SameSetAsCatFile(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "a", ["b/c"] = "c" });
        await repo.WriteBlobAsync("dangling");
        await repo.GitAsync("repack", "-a", "-d", "-q");
        await repo.WriteBlobAsync("loose after repack");

        var blobs = await CallAsync(ServerFixture.Proto(repo), bytesLimit: -1);

        var expected = (await repo.GitLinesAsync("cat-file", "--batch-all-objects", "--batch-check"))
            .Select(l => l.Split(' ')).Where(p => p[1] == "blob").Select(p => p[0]).Order().ToArray();
        Assert.Equal(expected, blobs.Select(b => b.Oid).Order());
        foreach (var blob in blobs)
        {
            var content = await repo.GitBytesAsync(["cat-file", "blob", blob.Oid]);
            Assert.Equal(content.Length, blob.Size);
            Assert.Equal(content, blob.Data.ToByteArray());
        }
    }

    [Fact]
    public async Task ListAllBlobs_BytesLimit_EachBlobCut()
    {
        var repo = await server.CreateRepoAsync();
        await repo.WriteBlobAsync("foobar");
        await repo.WriteBlobAsync("");

        var blobs = await CallAsync(ServerFixture.Proto(repo), bytesLimit: 1);

        Assert.Equal(2, blobs.Count);
        Assert.Contains(blobs, b => b.Size == 6 && b.Data.ToStringUtf8() == "f");
        Assert.Contains(blobs, b => b.Size == 0 && b.Data.IsEmpty);
    }

    [Fact]
    public async Task ListAllBlobs_NoBytes_SizesOnly()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.WriteBlobAsync("foobar");

        var only = Assert.Single(await CallAsync(ServerFixture.Proto(repo), bytesLimit: 0));

        Assert.Equal(new BlobItem { Oid = oid, Size = 6 }, only);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task ListAllBlobs_Limit_StopsAfterThatManyBlobs(long bytesLimit)
    {
        var repo = await server.CreateRepoAsync();
        await repo.WriteBlobAsync("1");
        await repo.WriteBlobAsync("2");
        await repo.WriteBlobAsync("3");

        Assert.Equal(2, (await CallAsync(ServerFixture.Proto(repo), limit: 2, bytesLimit: bytesLimit)).Count);
    }

    [Fact]
    public async Task ListAllBlobs_BlobBiggerThanOnePiece_ContinuedWithoutOid()
    {
        var repo = await server.CreateRepoAsync();
        var big = GetBlobTests.RandomBytes(40000, seed: 6);
        var oid = await repo.WriteBlobAsync(big);

        var blobs = await CallAsync(ServerFixture.Proto(repo), bytesLimit: -1);

        Assert.Equal(2, blobs.Count);
        Assert.Equal(oid, blobs[0].Oid);
        Assert.Equal(big.Length, blobs[0].Size);
        Assert.Equal(new BlobItem { Data = blobs[1].Data }, blobs[1]);
        Assert.Equal(big, blobs.SelectMany(b => b.Data.ToByteArray()).ToArray());
    }

    [Fact]
    public async Task ListAllBlobs_Quarantine_OnlyQuarantinedWithoutAlternatesAllWithThem()
    {
        var repo = await server.CreateRepoAsync();
        await repo.WriteBlobAsync("existing");
        var quarantine = Path.Combine(repo.Path, "objects", "incoming-all");
        Directory.CreateDirectory(quarantine);
        var env = new Dictionary<string, string> { ["GIT_OBJECT_DIRECTORY"] = quarantine };
        var pushed = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["hash-object", "-w", "--stdin"], "pushed"u8.ToArray(), env)).Trim();
        var withoutAlternates = ServerFixture.Proto(repo);
        withoutAlternates.GitObjectDirectory = "objects/incoming-all";
        var withAlternates = withoutAlternates.Clone();
        withAlternates.GitAlternateObjectDirectories.Add("objects");

        var quarantined = await CallAsync(withoutAlternates, bytesLimit: 0);
        var all = await CallAsync(withAlternates, bytesLimit: 0);

        Assert.Equal([pushed], quarantined.Select(b => b.Oid));
        Assert.Equal(2, all.Count);
    }

    [Fact]
    public async Task ListAllBlobs_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(null, bytesLimit: 0));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<BlobItem>> CallAsync(Gitaly.Repository? repository, uint limit = 0, long bytesLimit = 0)
    {
        using var call = server.Blob.ListAllBlobs(new ListAllBlobsRequest { Repository = repository, Limit = limit, BytesLimit = bytesLimit });
        var blobs = new List<BlobItem>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            blobs.AddRange(message.Blobs);
        }

        return blobs;
    }
}
