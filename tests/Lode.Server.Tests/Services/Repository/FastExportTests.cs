using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class FastExportTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FastExport_History_SameBytesAsGit(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync(branch: "main", message: "first", files: new Dictionary<string, object> { ["a.txt"] = "a\n" });
        await repo.CommitAsync(branch: "main", message: "second", files: new Dictionary<string, object>
        {
            ["a.txt"] = "a\n",
            ["bin.dat"] = new TreeFile([0, 1, 2, 255]),
            ["link"] = new TreeFile("a.txt"u8.ToArray(), Mode: "120000"),
        });
        await repo.CommitAsync(branch: "feature", message: "side", parents: [first]);
        await repo.GitAsync("tag", "v1", first);

        var (chunks, data) = await CallAsync(repo);

        Assert.Equal(await repo.GitBytesAsync(["fast-export", "--all"]), data);
        Assert.NotEmpty(chunks);
    }

    [Fact]
    public async Task FastExport_LargeBlob_ChunkedAt128KiB()
    {
        var repo = await server.CreateRepoAsync();
        var content = new byte[400_000];
        new Random(42).NextBytes(content);
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["big.bin"] = new TreeFile(content) });

        var (chunks, data) = await CallAsync(repo);

        Assert.True(chunks.Count >= 4);
        Assert.All(chunks, c => Assert.True(c <= 128 * 1024));
        Assert.Equal(await repo.GitBytesAsync(["fast-export", "--all"]), data);
    }

    [Fact]
    public async Task FastExport_EmptyRepository_NoData()
    {
        var repo = await server.CreateRepoAsync();

        var (chunks, data) = await CallAsync(repo);

        Assert.Empty(data);
        Assert.Empty(chunks);
    }

    [Fact]
    public async Task FastExport_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.FastExport(new FastExportRequest());

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("repository is not set", e.Status.Detail);
    }

    [Fact]
    public async Task FastExport_MissingRepository_NotFound()
    {
        using var call = server.Repository.FastExport(new FastExportRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
        });

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    private async Task<(List<int> Chunks, byte[] Data)> CallAsync(TestRepo repo)
    {
        using var call = server.Repository.FastExport(new FastExportRequest { Repository = ServerFixture.Proto(repo) });
        var chunks = new List<int>();
        using var data = new MemoryStream();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            chunks.Add(response.Data.Length);
            response.Data.WriteTo(data);
        }

        return (chunks, data.ToArray());
    }
}
