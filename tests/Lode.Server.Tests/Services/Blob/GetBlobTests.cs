using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Blob;

public sealed class GetBlobTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const int ChunkSize = 32 * 1024;

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetBlob_WholeBlob_MatchesCatFile(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var oid = await repo.WriteBlobAsync("hello\nworld\n");

        var responses = await CallAsync(repo, oid, -1);

        var expected = await repo.GitBytesAsync(["cat-file", "blob", oid]);
        var only = Assert.Single(responses);
        Assert.Equal(oid, only.Oid);
        Assert.Equal(expected.Length, only.Size);
        Assert.Equal(expected, only.Data.ToByteArray());
    }

    [Fact]
    public async Task GetBlob_BlobBiggerThanOneChunk_FirstMessageCarriesMetadataThenFullChunks()
    {
        var repo = await server.CreateRepoAsync();
        var content = RandomBytes((ChunkSize * 3) + 1234, seed: 1);
        var oid = await repo.WriteBlobAsync(content);

        var responses = await CallAsync(repo, oid, -1);

        Assert.Equal(4, responses.Count);
        Assert.Equal(oid, responses[0].Oid);
        Assert.Equal(content.Length, responses[0].Size);
        Assert.All(responses.Skip(1), r => Assert.True(r.Oid.Length == 0 && r.Size == 0));
        Assert.All(responses.Take(3), r => Assert.Equal(ChunkSize, r.Data.Length));
        Assert.Equal(content, Concat(responses));
        Assert.Equal(content, await repo.GitBytesAsync(["cat-file", "blob", oid]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 10)]
    [InlineData(40000, 40000)]
    [InlineData(70000, 70000)]
    [InlineData(100000, 70000)]
    public async Task GetBlob_Limit_CutsData(long limit, int expectedLength)
    {
        var repo = await server.CreateRepoAsync();
        var content = RandomBytes(70000, seed: 2);
        var oid = await repo.WriteBlobAsync(content);

        var responses = await CallAsync(repo, oid, limit);

        Assert.Equal(oid, responses[0].Oid);
        Assert.Equal(content.Length, responses[0].Size);
        Assert.Equal(content[..expectedLength], Concat(responses));
        Assert.Equal(Math.Max(1, (expectedLength + ChunkSize - 1) / ChunkSize), responses.Count);
    }

    [Fact]
    public async Task GetBlob_EmptyBlob_OneMessageWithOidAndNoData()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.WriteBlobAsync([]);

        var only = Assert.Single(await CallAsync(repo, oid, -1));

        Assert.Equal(oid, only.Oid);
        Assert.Equal(0, only.Size);
        Assert.True(only.Data.IsEmpty);
    }

    [Fact]
    public async Task GetBlob_BinaryContentByRevisionAndPath_ResolvedLikeCatFile()
    {
        var repo = await server.CreateRepoAsync();
        byte[] binary = [0, 1, 2, 255, 0, (byte)'\n', 128];
        await repo.CommitAsync(files: new Dictionary<string, object> { ["bin/data.dat"] = binary });

        var only = Assert.Single(await CallAsync(repo, "main:bin/data.dat", -1));

        Assert.Equal(await repo.RevParseAsync("main:bin/data.dat"), only.Oid);
        Assert.Equal(binary, only.Data.ToByteArray());
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("tree")]
    [InlineData("commit")]
    public async Task GetBlob_NotABlob_OneEmptyMessage(string what)
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        var oid = what switch
        {
            "tree" => await repo.RevParseAsync("main^{tree}"),
            "commit" => commit,
            _ => new string('1', repo.HexLength),
        };

        var only = Assert.Single(await CallAsync(repo, oid, -1));

        Assert.Equal(new GetBlobResponse(), only);
    }

    [Fact]
    public async Task GetBlob_LimitedReadsInOneSession_ReuseOneCatFileProcess()
    {
        var repo = await server.CreateRepoAsync();
        var first = await repo.WriteBlobAsync(RandomBytes(50000, seed: 3));
        var second = await repo.WriteBlobAsync("second");
        var headers = new Metadata { { "gitaly-session-id", Guid.NewGuid().ToString() } };

        await CallAsync(repo, first, 10, headers);
        var before = await server.ScrapeMetricsAsync();
        var responses = await CallAsync(repo, second, -1, headers);
        var after = await server.ScrapeMetricsAsync();

        Assert.Equal("second", responses[0].Data.ToStringUtf8());
        Assert.Equal(Counter(before, "gitaly_catfile_processes_total"), Counter(after, "gitaly_catfile_processes_total"));
    }

    [Fact]
    public async Task GetBlob_EmptyOid_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "", -1));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("empty Oid", e.Status.Detail);
    }

    [Fact]
    public async Task GetBlob_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(server.Blob.GetBlob(new GetBlobRequest { Oid = "abc" })));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task GetBlob_RepositoryMissing_NotFound()
    {
        var request = new GetBlobRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
            Oid = "abc",
        };

        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(server.Blob.GetBlob(request)));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static double Counter(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static byte[] Concat(List<GetBlobResponse> responses) => responses.SelectMany(r => r.Data.ToByteArray()).ToArray();

    private Task<List<GetBlobResponse>> CallAsync(TestRepo repo, string oid, long limit, Metadata? headers = null) =>
        ReadAllAsync(server.Blob.GetBlob(new GetBlobRequest { Repository = ServerFixture.Proto(repo), Oid = oid, Limit = limit }, headers));

    private static async Task<List<GetBlobResponse>> ReadAllAsync(AsyncServerStreamingCall<GetBlobResponse> call)
    {
        using (call)
        {
            var responses = new List<GetBlobResponse>();
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                responses.Add(response);
            }

            return responses;
        }
    }
}
