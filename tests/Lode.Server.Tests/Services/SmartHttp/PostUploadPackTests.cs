using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.SmartHttp;

public sealed class PostUploadPackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task PostUploadPack_Clone_PackInDataMessages(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = RandomBytes(400 * 1024) });
        var tip = await repo.CommitAsync();

        var output = await SmartHttpCalls.BidiAsync(server.SmartHttp.PostUploadPack(),
            new PostUploadPackRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.FetchV0([tip], SmartHttpCalls.FetchCaps(repo)),
            data => new PostUploadPackRequest { Data = data }, r => r.Data);

        using var temp = new TempDirectory();
        var unpacked = await GitWire.IndexPackAsync(GitWire.PackAfterAcks(output), format, temp.Path);
        Assert.Equal(await repo.GitLinesAsync("rev-list", "--objects", tip), await unpacked.GitLinesAsync("rev-list", "--objects", tip));
    }

    [Fact]
    public async Task PostUploadPack_LargePack_MessagesAtMost128KiB()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = RandomBytes(1024 * 1024) });
        using var call = server.SmartHttp.PostUploadPack();
        await call.RequestStream.WriteAsync(new PostUploadPackRequest { Repository = ServerFixture.Proto(repo) });
        await call.RequestStream.WriteAsync(new PostUploadPackRequest { Data = ByteString.CopyFrom(GitWire.FetchV0([tip], "ofs-delta no-progress")) });
        await call.RequestStream.CompleteAsync();

        var sizes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            sizes.Add(response.Data.Length);
        }

        Assert.True(sizes.Sum() > 1024 * 1024);
        Assert.All(sizes, s => Assert.InRange(s, 1, 128 * 1024));
    }

    [Fact]
    public async Task PostUploadPack_DataInFirstMessage_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        using var call = server.SmartHttp.PostUploadPack();
        await call.RequestStream.WriteAsync(new PostUploadPackRequest { Repository = ServerFixture.Proto(repo), Data = ByteString.CopyFromUtf8("0000") });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("non-empty Data", error.Status.Detail);
    }

    [Fact]
    public async Task PostUploadPack_MissingRepository_NotFound()
    {
        using var call = server.SmartHttp.PostUploadPack();
        await call.RequestStream.WriteAsync(new PostUploadPackRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    private static byte[] RandomBytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }
}
