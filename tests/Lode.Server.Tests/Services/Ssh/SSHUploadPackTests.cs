using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ssh;

public sealed class SSHUploadPackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task SSHUploadPack_Fetch_AdvertisementThenPackNoExitStatus(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync();
        var tip = await repo.CommitAsync();
        var caps = "ofs-delta no-progress" + (format == "sha256" ? " object-format=sha256" : "");

        var result = await SshCalls.UploadPackAsync(server.Ssh, new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.FetchV0([tip], caps));

        Assert.Null(result.Error);
        Assert.Empty(result.ExitStatuses);
        Assert.Contains(tip + " refs/heads/main", GitWire.Text(result.Stdout));
        using var temp = new TempDirectory();
        var unpacked = await GitWire.IndexPackAsync(GitWire.PackAfterAcks(result.Stdout), format, temp.Path);
        Assert.Equal(await repo.GitLinesAsync("rev-list", "--objects", tip), await unpacked.GitLinesAsync("rev-list", "--objects", tip));
    }

    [Fact]
    public async Task SSHUploadPack_ProtocolV2_CapabilitiesThenPackfile()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();

        var result = await SshCalls.UploadPackAsync(server.Ssh, new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo), GitProtocol = "version=2" },
            GitWire.FetchV2([tip]));

        Assert.Null(result.Error);
        Assert.StartsWith("000eversion 2\n", GitWire.Text(result.Stdout));
        Assert.Contains("packfile\n", GitWire.Text(result.Stdout));
    }

    [Fact]
    public async Task SSHUploadPack_UnknownObject_ExitStatusThenInternal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var result = await SshCalls.UploadPackAsync(server.Ssh, new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.FetchV0([new string('1', 40)], "ofs-delta"));

        Assert.Equal([128], result.ExitStatuses);
        Assert.Equal(StatusCode.Internal, result.Error?.StatusCode);
        Assert.StartsWith("running upload-pack: cmd wait: exit status 128, stderr: \"", result.Error!.Status.Detail);
        Assert.Contains("not our ref", GitWire.Text(result.Stderr));
    }

    [Fact]
    public async Task SSHUploadPack_ClientHangsUp_CanceledAfterExitStatus()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();

        // Half a want line, then the end of stdin: the client went away mid-request.
        var result = await SshCalls.UploadPackAsync(server.Ssh, new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo) },
            System.Text.Encoding.ASCII.GetBytes("0032want " + tip[..10]));

        Assert.Equal(StatusCode.Cancelled, result.Error?.StatusCode);
        Assert.Equal("running upload-pack: user canceled the request", result.Error!.Status.Detail);
        Assert.Equal([0], result.ExitStatuses);
    }

    [Fact]
    public async Task SSHUploadPack_StdinInFirstRequest_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var result = await SshCalls.UploadPackAsync(server.Ssh,
            new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo), Stdin = ByteString.CopyFromUtf8("0000") }, []);

        Assert.Equal(StatusCode.InvalidArgument, result.Error?.StatusCode);
        Assert.Equal("non-empty stdin in first request", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task SSHUploadPack_MissingRepository_NotFound()
    {
        var result = await SshCalls.UploadPackAsync(server.Ssh,
            new SSHUploadPackRequest { Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" } }, []);

        Assert.Equal(StatusCode.NotFound, result.Error?.StatusCode);
        Assert.Empty(result.ExitStatuses);
    }

    [Fact]
    public async Task SSHUploadPack_CountsProtocol()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        await SshCalls.UploadPackAsync(server.Ssh, new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo), GitProtocol = "version=1" }, GitWire.Flush);

        Assert.Contains("gitaly_git_protocol_requests_total{grpc_service=\"gitaly.SSHService\",grpc_method=\"SSHUploadPack\",git_protocol=\"v1\"}",
            await server.ScrapeMetricsAsync());
    }
}
