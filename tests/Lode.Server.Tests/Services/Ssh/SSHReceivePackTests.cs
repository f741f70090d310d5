using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Server.Tests.Services.SmartHttp;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ssh;

public sealed class SSHReceivePackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task SSHReceivePack_Push_AdvertisementThenReportNoExitStatus(string format)
    {
        var target = await server.CreateRepoAsync(format);
        var main = await target.CommitAsync();
        using var temp = new TempDirectory();
        var source = await PostReceivePackTests.CloneAsync(target, temp);
        var next = await source.CommitAsync();
        var pack = await GitWire.PackAsync(source, next, main);

        var result = await SshCalls.ReceivePackAsync(server.Ssh, First(target),
            GitWire.Push(main, next, "refs/heads/main", "report-status object-format=" + format, pack));

        Assert.Null(result.Error);
        Assert.Empty(result.ExitStatuses);
        var text = GitWire.Text(result.Stdout);
        Assert.Contains(main + " refs/heads/main\0", text);
        Assert.Contains("unpack ok\n", text);
        Assert.Contains("ok refs/heads/main\n", text);
        Assert.Equal(next, await target.GitAsync("rev-parse", "refs/heads/main"));
    }

    [Fact]
    public async Task SSHReceivePack_DeleteBranch_RefRemoved()
    {
        var target = await server.CreateRepoAsync();
        var main = await target.CommitAsync();
        var doomed = await target.CommitAsync("doomed");

        var result = await SshCalls.ReceivePackAsync(server.Ssh, First(target),
            GitWire.Concat(GitWire.Pkt(System.Text.Encoding.ASCII.GetBytes($"{doomed} {target.ZeroOid} refs/heads/doomed\0report-status delete-refs\n")), GitWire.Flush));

        Assert.Null(result.Error);
        Assert.Contains("ok refs/heads/doomed", GitWire.Text(result.Stdout));
        Assert.Null(await target.TryRevParseAsync("refs/heads/doomed"));
        Assert.Equal(main, await target.GitAsync("rev-parse", "refs/heads/main"));
    }

    [Fact]
    public async Task SSHReceivePack_ClientHangsUp_ExitStatusThenCanceled()
    {
        var target = await server.CreateRepoAsync();
        await target.CommitAsync();

        // Half a command, then the end of stdin.
        var result = await SshCalls.ReceivePackAsync(server.Ssh, First(target), "00a0"u8.ToArray());

        Assert.Equal(StatusCode.Cancelled, result.Error?.StatusCode);
        Assert.Equal("user canceled the push", result.Error!.Status.Detail);
        Assert.Equal([128], result.ExitStatuses);
    }

    [Fact]
    public async Task SSHReceivePack_EmptyGlId_InvalidArgument()
    {
        var target = await server.CreateRepoAsync();
        var first = First(target);
        first.GlId = "";

        var result = await SshCalls.ReceivePackAsync(server.Ssh, first, []);

        Assert.Equal(StatusCode.InvalidArgument, result.Error?.StatusCode);
        Assert.Equal("empty GlId", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task SSHReceivePack_StdinInFirstRequest_InvalidArgument()
    {
        var target = await server.CreateRepoAsync();
        var first = First(target);
        first.Stdin = ByteString.CopyFromUtf8("0000");

        var result = await SshCalls.ReceivePackAsync(server.Ssh, first, []);

        Assert.Equal(StatusCode.InvalidArgument, result.Error?.StatusCode);
        Assert.Equal("non-empty data in first request", result.Error!.Status.Detail);
    }

    [Fact]
    public async Task SSHReceivePack_MissingRepository_NotFound()
    {
        var result = await SshCalls.ReceivePackAsync(server.Ssh, new SSHReceivePackRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
            GlId = "user-1",
        }, []);

        Assert.Equal(StatusCode.NotFound, result.Error?.StatusCode);
    }

    private static SSHReceivePackRequest First(TestRepo target) => new()
    {
        Repository = ServerFixture.Proto(target),
        GlId = "user-1",
        GlUsername = "jane",
        GlRepository = "project-1",
    };
}
