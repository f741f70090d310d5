using Gitaly;
using Grpc.Core;
using Lode.Server.Sidechannel;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ssh;

public sealed class SSHUploadPackWithSidechannelTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task SSHUploadPackWithSidechannel_Fetch_SidebandStdoutHoldsPack(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = new byte[200 * 1024] });
        var tip = await repo.CommitAsync();
        var caps = "ofs-delta no-progress" + (format == "sha256" ? " object-format=sha256" : "");
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);

        var (response, output) = await CallAsync(client, new SSHUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.FetchV0([tip], caps));

        var (stdout, _) = GitWire.Demux(output);
        Assert.Contains(tip + " refs/heads/main", GitWire.Text(stdout));
        using var temp = new TempDirectory();
        var unpacked = await GitWire.IndexPackAsync(GitWire.PackAfterAcks(stdout), format, temp.Path);
        Assert.Equal(await repo.GitLinesAsync("rev-list", "--objects", tip), await unpacked.GitLinesAsync("rev-list", "--objects", tip));
        Assert.Equal(1, response.PackfileNegotiationStatistics.Wants);
        Assert.Equal(caps.Split(' '), response.PackfileNegotiationStatistics.Caps);
    }

    [Fact]
    public async Task SSHUploadPackWithSidechannel_GitError_StderrOnBandTwoThenInternal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
        byte[] output = [];
        var (waiter, options) = client.Sidechannel(async (sidechannel, ct) =>
        {
            await sidechannel.WriteAsync(GitWire.FetchV0([new string('1', 40)], "ofs-delta"), ct);
            await sidechannel.CloseWriteAsync(ct);
            using var buffer = new MemoryStream();
            await sidechannel.Stream.CopyToAsync(buffer, ct);
            output = buffer.ToArray();
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Ssh.SSHUploadPackWithSidechannelAsync(
            new SSHUploadPackWithSidechannelRequest { Repository = ServerFixture.Proto(repo) }, options).ResponseAsync);
        await waiter.CloseAsync();

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.StartsWith("running upload-pack: cmd wait: exit status 128", error.Status.Detail);
        Assert.Contains("not our ref", GitWire.Text(GitWire.Demux(output).Band2));
    }

    [Fact]
    public async Task SSHUploadPackWithSidechannel_PlainConnection_AbortedBeforeRepositoryCheck()
    {
        var headers = new Metadata { { "gitaly-sidechannel-id", "0" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Ssh.SSHUploadPackWithSidechannelAsync(
            new SSHUploadPackWithSidechannelRequest { Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" } },
            headers).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("opennig sidechannel: sidechannel: fail to extract yamux session: non-multiplexed connection", error.Status.Detail);
    }

    [Fact]
    public async Task SSHUploadPackWithSidechannel_MissingRepository_NotFoundAfterSidechannelOpened()
    {
        using var client = BackchannelClient.Connect("tcp://" + server.Endpoints.Tcp);
        var opened = false;
        var (waiter, options) = client.Sidechannel(async (sidechannel, ct) =>
        {
            opened = true;
            await sidechannel.Stream.CopyToAsync(Stream.Null, ct);
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Ssh.SSHUploadPackWithSidechannelAsync(
            new SSHUploadPackWithSidechannelRequest { Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" } },
            options).ResponseAsync);
        await waiter.CloseAsync();

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.True(opened);
    }

    internal static async Task<(SSHUploadPackWithSidechannelResponse Response, byte[] Output)> CallAsync(BackchannelClient client,
        SSHUploadPackWithSidechannelRequest request, byte[] stdin)
    {
        using var output = new MemoryStream();
        var (waiter, options) = client.Sidechannel(async (sidechannel, ct) =>
        {
            await sidechannel.WriteAsync(stdin, ct);
            await sidechannel.CloseWriteAsync(ct);
            await sidechannel.Stream.CopyToAsync(output, ct);
        });

        var response = await client.Ssh.SSHUploadPackWithSidechannelAsync(request, options);
        await waiter.CloseAsync();
        return (response, output.ToArray());
    }
}
