using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ssh;

public sealed class SSHNegotiationDeadlineTests(ShortNegotiationServerFixture server) : IClassFixture<ShortNegotiationServerFixture>
{
    [Fact]
    public async Task SSHUploadPack_NoDoneBeforeDeadline_DeadlineExceeded()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();

        // Wants sent, stdin left open, done never comes.
        var want = GitWire.Concat(GitWire.Pkt($"want {tip} ofs-delta\n"), GitWire.Flush);
        var result = await SshCalls.UploadPackAsync(server.Ssh, new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo) }, want, close: false);

        Assert.Equal(StatusCode.DeadlineExceeded, result.Error?.StatusCode);
        Assert.Equal("running upload-pack: waiting for negotiation: context canceled", result.Error!.Status.Detail);
        Assert.Equal([0], result.ExitStatuses);
    }

    [Fact]
    public async Task SSHUploadArchive_NoFlushBeforeDeadline_DeadlineExceededWithoutExitStatus()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var result = await SshCalls.UploadArchiveAsync(server.Ssh, new SSHUploadArchiveRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.Pkt("argument HEAD\n"), close: false);

        Assert.Equal(StatusCode.DeadlineExceeded, result.Error?.StatusCode);
        Assert.Equal("running upload-archive: waiting for negotiation: context canceled", result.Error!.Status.Detail);
        Assert.Empty(result.ExitStatuses);
    }

    [Fact]
    public async Task SSHUploadPack_DoneInTime_Succeeds()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();

        var result = await SshCalls.UploadPackAsync(server.Ssh, new SSHUploadPackRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.FetchV0([tip], "ofs-delta no-progress"), close: true);

        Assert.Null(result.Error);
    }
}
