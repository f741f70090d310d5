using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.SmartHttp;

public sealed class InfoRefsReceivePackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1", "")]
    [InlineData("sha256", "")]
    [InlineData("sha1", "version=2")]
    public async Task InfoRefsReceivePack_Preamble_ThenRefsWithoutReadOnlyNamespaces(string format, string protocol)
    {
        var repo = await server.CreateRepoAsync(format);
        var main = await repo.CommitAsync();
        await repo.GitAsync("update-ref", "refs/merge-requests/1/head", main);
        await repo.GitAsync("update-ref", "refs/pipelines/1", main);
        await repo.GitAsync("update-ref", "refs/environments/prod/deployments/1", main);

        var (data, _) = await SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsReceivePack(new InfoRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            GitProtocol = protocol,
        }));

        var text = GitWire.Text(data);

        // receive-pack has no v2: the advertisement is v0 whatever the client asked for.
        Assert.StartsWith("001f# service=git-receive-pack\n0000", text);
        Assert.Contains(main + " refs/heads/main\0", text);
        Assert.Contains("report-status", text);
        Assert.Contains("push-options", text);
        Assert.Contains("object-format=" + format, text);
        Assert.DoesNotContain("refs/merge-requests", text);
        Assert.DoesNotContain("refs/pipelines", text);
        Assert.DoesNotContain("refs/environments", text);
        Assert.EndsWith("0000", text);
    }

    [Fact]
    public async Task InfoRefsReceivePack_RepeatedCalls_ByteForByteWhatGitWrites()
    {
        // The first answer may come from git (the server learns its capabilities line), later ones are written
        // in-process: every one must be exactly git's advertisement, with refs loose, packed and hidden.
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync();
        await repo.GitAsync("tag", "-a", "-m", "release", "v1.0", main);
        await repo.GitAsync("update-ref", "refs/keep-around/" + main, main);
        await repo.GitAsync("pack-refs", "--all");
        await repo.CommitAsync(branch: "feature");
        var expected = await repo.GitBytesAsync(["-c", "receive.hideRefs=refs/keep-around/", "-c", "receive.hideRefs=refs/remotes/",
            "-c", "receive.hideRefs=refs/tmp/", "-c", "receive.hideRefs=refs/environments/", "-c", "receive.hideRefs=refs/merge-requests/",
            "-c", "receive.hideRefs=refs/pipelines/", "-c", "receive.advertisePushOptions=true", "receive-pack", "--advertise-refs",
            "--stateless-rpc", repo.Path]);

        for (var call = 0; call < 3; call++)
        {
            var (data, _) = await SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsReceivePack(new InfoRefsRequest
            {
                Repository = ServerFixture.Proto(repo),
            }));

            Assert.Equal("001f# service=git-receive-pack\n0000" + GitWire.Text(expected), GitWire.Text(data));
        }
    }

    [Fact]
    public async Task InfoRefsReceivePack_MissingRepository_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsReceivePack(new InfoRefsRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
        })));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task InfoRefsReceivePack_UnknownStorage_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsReceivePack(new InfoRefsRequest
        {
            Repository = new Gitaly.Repository { StorageName = "nope", RelativePath = "x.git" },
        })));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }
}
