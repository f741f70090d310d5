using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Blob;

public sealed class ListAllLFSPointersTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListAllLFSPointers_ReachableAndDangling_AllPointers(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["one.lfs"] = LfsPointerTestData.Pointer1, ["plain"] = "plain" });
        var dangling = await repo.WriteBlobAsync(LfsPointerTestData.Unordered);
        var atEdge = await repo.WriteBlobAsync(LfsPointerTestData.PointerOfSize(200));
        await repo.WriteBlobAsync(LfsPointerTestData.PointerOfSize(201));

        var pointers = await CallAsync(ServerFixture.Proto(repo));

        Assert.Equal(new[] { await repo.RevParseAsync("main:one.lfs"), dangling, atEdge }.Order(), pointers.Select(p => p.Oid).Order());
        Assert.All(pointers, p => Assert.Equal(p.Data.Length, p.Size));
    }

    [Fact]
    public async Task ListAllLFSPointers_Limit_StopsThere()
    {
        var repo = await server.CreateRepoAsync();
        await repo.WriteBlobAsync(LfsPointerTestData.Pointer1);
        await repo.WriteBlobAsync(LfsPointerTestData.Pointer2);

        Assert.Single(await CallAsync(ServerFixture.Proto(repo), limit: 1));
    }

    [Fact]
    public async Task ListAllLFSPointers_QuarantineOnly_OnlyQuarantinedPointers()
    {
        var repo = await server.CreateRepoAsync();
        await repo.WriteBlobAsync(LfsPointerTestData.Pointer1);
        var quarantine = Path.Combine(repo.Path, "objects", "incoming-123456");
        Directory.CreateDirectory(quarantine);
        var proto = ServerFixture.Proto(repo);
        proto.GitObjectDirectory = "objects/incoming-123456";

        var before = await CallAsync(proto);
        var env = new Dictionary<string, string> { ["GIT_OBJECT_DIRECTORY"] = quarantine };
        var pushed = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["hash-object", "-w", "--stdin"], LfsPointerTestData.Pointer2, env)).Trim();
        var after = await CallAsync(proto);

        Assert.Empty(before);
        Assert.Equal([pushed], after.Select(p => p.Oid));
    }

    [Fact]
    public async Task ListAllLFSPointers_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(null));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<LFSPointer>> CallAsync(Gitaly.Repository? repository, int limit = 0)
    {
        using var call = server.Blob.ListAllLFSPointers(new ListAllLFSPointersRequest { Repository = repository, Limit = limit });
        var pointers = new List<LFSPointer>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            pointers.AddRange(message.LfsPointers);
        }

        return pointers;
    }
}
