using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ssh;

public sealed class SSHUploadArchiveTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task SSHUploadArchive_Tar_SameBytesAsGitArchiveAndExitStatusZero(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "a\n", ["dir/b.txt"] = "b\n" });

        var result = await SshCalls.UploadArchiveAsync(server.Ssh, new SSHUploadArchiveRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.Concat(GitWire.Pkt("argument --format=tar\n"), GitWire.Pkt("argument HEAD\n"), GitWire.Flush));

        Assert.Null(result.Error);
        Assert.Equal([0], result.ExitStatuses);
        var offset = 0;
        var head = GitWire.ParsePackets(result.Stdout, ref offset, stopAtFlush: true);
        Assert.Equal("ACK\n", GitWire.Text(head[0]!));
        var sideband = GitWire.ParsePackets(result.Stdout, ref offset, stopAtFlush: true);
        Assert.Equal(result.Stdout.Length, offset);
        var archive = GitWire.Concat([.. sideband.Where(p => p is { Length: > 0 } && p[0] == 1).Select(p => p![1..])]);
        Assert.Equal(await repo.GitBytesAsync(["archive", "--format=tar", "HEAD"]), archive);
    }

    [Fact]
    public async Task SSHUploadArchive_UnknownTree_ExitStatusThenInternal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var result = await SshCalls.UploadArchiveAsync(server.Ssh, new SSHUploadArchiveRequest { Repository = ServerFixture.Proto(repo) },
            GitWire.Concat(GitWire.Pkt("argument no-such-revision\n"), GitWire.Flush));

        Assert.Equal(StatusCode.Internal, result.Error?.StatusCode);
        Assert.StartsWith("send: cmd wait: exit status", result.Error!.Status.Detail);
        Assert.Single(result.ExitStatuses);
        Assert.NotEqual(0, result.ExitStatuses[0]);
    }

    [Fact]
    public async Task SSHUploadArchive_StdinInFirstRequest_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var result = await SshCalls.UploadArchiveAsync(server.Ssh,
            new SSHUploadArchiveRequest { Repository = ServerFixture.Proto(repo), Stdin = ByteString.CopyFromUtf8("0000") }, []);

        Assert.Equal(StatusCode.InvalidArgument, result.Error?.StatusCode);
        Assert.Equal("non-empty stdin in first request", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task SSHUploadArchive_NoRepository_InvalidArgument()
    {
        var result = await SshCalls.UploadArchiveAsync(server.Ssh, new SSHUploadArchiveRequest(), []);

        Assert.Equal(StatusCode.InvalidArgument, result.Error?.StatusCode);
        Assert.Equal("repository not set", result.Error!.Status.Detail);
    }
}
