using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.SmartHttp;

public sealed class PostUploadPackWithSidechannelTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task PostUploadPackWithSidechannel_Clone_PackHoldsHistoryAndStatsCountRequest(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = new byte[300 * 1024] });
        var tip = await repo.CommitAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
        var caps = SmartHttpCalls.FetchCaps(repo);

        var (response, output) = await SmartHttpCalls.UploadPackWithSidechannelAsync(client,
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) }, GitWire.FetchV0([tip], caps));

        Assert.StartsWith("0008NAK\n", GitWire.Text(output[..8]));
        using var temp = new TempDirectory();
        var unpacked = await GitWire.IndexPackAsync(GitWire.PackAfterAcks(output), format, temp.Path);
        Assert.Equal(await repo.GitLinesAsync("rev-list", "--objects", tip), await unpacked.GitLinesAsync("rev-list", "--objects", tip));

        var stats = response.PackfileNegotiationStatistics;
        Assert.Equal(1, stats.Wants);
        Assert.Equal(0, stats.Haves);
        Assert.Equal(2, stats.Packets);
        Assert.Equal(caps.Split(' '), stats.Caps);
        // As Gitaly: the done line's bytes count, the line itself does not.
        Assert.Equal($"want {tip} {caps}".Length + "done".Length, stats.PayloadSize);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_ProtocolV2_PackfileSection()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);

        var (response, output) = await SmartHttpCalls.UploadPackWithSidechannelAsync(client,
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo), GitProtocol = "version=2" }, GitWire.FetchV2([tip]));

        Assert.StartsWith("000dpackfile\n", GitWire.Text(output));
        Assert.Equal(1, response.PackfileNegotiationStatistics.Wants);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_SidechannelIdTwice_LastValueWins()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
        using var output = new MemoryStream();
        var (waiter, options) = client.Sidechannel(async (sidechannel, ct) =>
        {
            await sidechannel.WriteAsync(GitWire.FetchV0([tip], "ofs-delta no-progress"), ct);
            await sidechannel.CloseWriteAsync(ct);
            await sidechannel.Stream.CopyToAsync(output, ct);
        });
        var headers = new Metadata { { "gitaly-sidechannel-id", "424242" } };
        foreach (var entry in options.Headers!)
        {
            headers.Add(entry);
        }

        await client.SmartHttp.PostUploadPackWithSidechannelAsync(new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) },
            headers);
        await waiter.CloseAsync();

        Assert.StartsWith("0008NAK\n", GitWire.Text(output.ToArray()[..8]));
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_ShallowFirstRound_SucceedsWithDeepen()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var tip = await repo.CommitAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);

        // The first round of a shallow fetch: wants and deepen, no done. upload-pack answers the shallow list.
        var (response, output) = await SmartHttpCalls.UploadPackWithSidechannelAsync(client,
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.FetchV0([tip], "ofs-delta shallow", ["deepen 1"], done: false));

        Assert.Contains("shallow " + tip, GitWire.Text(output));
        Assert.Equal("deepen 1", response.PackfileNegotiationStatistics.Deepen);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_UnknownObject_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);

        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.UploadPackWithSidechannelAsync(client,
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) }, GitWire.FetchV0([new string('1', 40)], "ofs-delta")));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("running upload-pack: waiting for upload-pack: exit status 128", error.Status.Detail);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_InputWithoutFlush_Fails()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
        var (waiter, options) = client.Sidechannel(async (sidechannel, ct) =>
        {
            await sidechannel.WriteAsync(GitWire.FetchV0([tip], "ofs-delta"), ct);

            // A yamux half-close instead of 0000: the server must not take the request as complete.
            sidechannel.Stream.CloseWrite();
            await sidechannel.Stream.CopyToAsync(Stream.Null, ct);
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => client.SmartHttp.PostUploadPackWithSidechannelAsync(
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) }, options).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.StartsWith("running upload-pack: waiting for upload-pack:", error.Status.Detail);
        await waiter.CloseAsync();
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_PlainConnection_InternalNonMultiplexed()
    {
        var repo = await server.CreateRepoAsync();
        var headers = new Metadata { { "gitaly-sidechannel-id", "0" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => server.SmartHttp.PostUploadPackWithSidechannelAsync(
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) }, headers).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("open sidechannel: sidechannel: fail to extract yamux session: non-multiplexed connection", error.Status.Detail);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_NoSidechannelId_Internal()
    {
        var repo = await server.CreateRepoAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.SmartHttp.PostUploadPackWithSidechannelAsync(
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) }).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("open sidechannel: sidechannel: sidechannel-id not found in incoming metadata", error.Status.Detail);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_UnknownSidechannelId_ClientRefusesStream()
    {
        var repo = await server.CreateRepoAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
        var headers = new Metadata { { "gitaly-sidechannel-id", "987654321" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => client.SmartHttp.PostUploadPackWithSidechannelAsync(
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) }, headers).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.StartsWith("open sidechannel: sidechannel: receive confirmation:", error.Status.Detail);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_MissingRepository_NotFoundAndSidechannelNeverOpened()
    {
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
        var (waiter, options) = client.Sidechannel((_, _) => Task.CompletedTask);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.SmartHttp.PostUploadPackWithSidechannelAsync(
            new PostUploadPackWithSidechannelRequest { Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" } },
            options).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        var notRun = await Assert.ThrowsAsync<Lode.Server.Sidechannel.SidechannelException>(waiter.CloseAsync);
        Assert.Equal("sidechannel: callback did not run", notRun.Message);
    }

    [Fact]
    public async Task PostUploadPackWithSidechannel_InvalidConfigOption_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.SmartHttp.PostUploadPackWithSidechannelAsync(
            new PostUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo), GitConfigOptions = { "nope" } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }
}
