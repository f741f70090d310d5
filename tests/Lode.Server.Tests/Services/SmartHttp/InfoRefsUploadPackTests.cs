using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.SmartHttp;

public sealed class InfoRefsUploadPackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task InfoRefsUploadPack_V0_PreambleThenEveryVisibleRef(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var main = await repo.CommitAsync();
        var feature = await repo.CommitAsync("feature");
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1.0", main);
        await repo.GitAsync("update-ref", "refs/keep-around/" + main, main);
        await repo.GitAsync("update-ref", "refs/merge-requests/1/head", feature);

        var (data, _) = await SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest { Repository = ServerFixture.Proto(repo) }));

        Assert.StartsWith("001e# service=git-upload-pack\n0000", GitWire.Text(data));
        var offset = "001e# service=git-upload-pack\n0000".Length;
        var lines = GitWire.ParsePackets(data, ref offset);
        Assert.Equal(data.Length, offset);
        Assert.Null(lines[^1]);
        var advertised = lines.Where(l => l is not null).Select(l => GitWire.Text(l!).Split('\0')[0].TrimEnd('\n')).ToList();
        var expected = new List<string> { main + " HEAD" };
        foreach (var line in await repo.GitLinesAsync("for-each-ref", "--format=%(objectname) %(refname)"))
        {
            if (line.Contains(" refs/keep-around/", StringComparison.Ordinal))
            {
                continue;
            }

            expected.Add(line);
            if (line.EndsWith("refs/tags/v1.0", StringComparison.Ordinal))
            {
                expected.Add(main + " refs/tags/v1.0^{}");
            }
        }

        Assert.Equal(expected, advertised);
        Assert.Contains("allow-reachable-sha1-in-want", GitWire.Text(lines[0]!));
        Assert.Contains("filter", GitWire.Text(lines[0]!));
    }

    [Fact]
    public async Task InfoRefsUploadPack_V2_PreambleThenCapabilityAdvertisement()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var (data, _) = await SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            GitProtocol = "version=2",
        }));

        var text = GitWire.Text(data);
        Assert.StartsWith("001e# service=git-upload-pack\n0000000eversion 2\n", text);
        Assert.Contains("fetch=", text);
        Assert.EndsWith("0000", text);
        Assert.Contains("gitaly_git_protocol_requests_total{grpc_service=\"gitaly.SmartHTTPService\",grpc_method=\"InfoRefsUploadPack\",git_protocol=\"v2\"}",
            await server.ScrapeMetricsAsync());
    }

    [Fact]
    public async Task InfoRefsUploadPack_EmptyRepository_PreambleAndNoRefs()
    {
        var repo = await server.CreateRepoAsync();

        var (data, _) = await SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest { Repository = ServerFixture.Proto(repo) }));

        var text = GitWire.Text(data);
        Assert.StartsWith("001e# service=git-upload-pack\n0000", text);
        Assert.EndsWith("0000", text);
        Assert.DoesNotContain(" refs/", text);
    }

    [Fact]
    public async Task InfoRefsUploadPack_ConfigOption_HidesRefs()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        await repo.CommitAsync("secret");

        var (data, _) = await SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            GitConfigOptions = { "transfer.hideRefs=refs/heads/secret" },
        }));

        Assert.Contains("refs/heads/main", GitWire.Text(data));
        Assert.DoesNotContain("refs/heads/secret", GitWire.Text(data));
    }

    [Fact]
    public async Task InfoRefsUploadPack_ManyRefs_ChunksOfAtMost128KiB()
    {
        var repo = await server.CreateRepoAsync();
        var tip = await repo.CommitAsync();
        var updates = new StringBuilder();
        for (var i = 0; i < 4000; i++)
        {
            updates.Append(System.Globalization.CultureInfo.InvariantCulture, $"create refs/heads/branch-with-a-long-name-{i:D5} {tip}\n");
        }

        await repo.GitBytesAsync(["update-ref", "--stdin"], Encoding.ASCII.GetBytes(updates.ToString()));

        var (data, sizes) = await SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest { Repository = ServerFixture.Proto(repo) }));

        Assert.True(data.Length > 128 * 1024);
        Assert.True(sizes.Count > 3);
        Assert.All(sizes, s => Assert.InRange(s, 1, 128 * 1024));
        Assert.Contains("refs/heads/branch-with-a-long-name-03999", GitWire.Text(data));
    }

    [Theory]
    [InlineData("no-equals", "cannot convert invalid config key: \"no-equals\"")]
    [InlineData("nosection=1", "invalid configuration key \"nosection\": key \"nosection\" must contain at least one section")]
    [InlineData(".core.x=1", "invalid configuration key \".core.x\": key \".core.x\" must not start or end with a dot")]
    [InlineData("core.a b=1", "invalid configuration key \"core.a b\": key \"core.a b\" failed regexp validation")]
    [InlineData("uploadpack.packObjectsHook=touch /tmp/pwned; git",
        "configuration key \"uploadpack.packObjectsHook\" may not be set by a request: git runs its value as a program")]
    [InlineData("CORE.alternateRefsCommand=id", "configuration key \"CORE.alternateRefsCommand\" may not be set by a request: git runs its value as a program")]
    [InlineData("filter.lfs.smudge=id", "configuration key \"filter.lfs.smudge\" may not be set by a request: git runs its value as a program")]
    public async Task InfoRefsUploadPack_InvalidConfigOption_InvalidArgument(string option, string message)
    {
        var repo = await server.CreateRepoAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            GitConfigOptions = { option },
        })));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    [Fact]
    public async Task InfoRefsUploadPack_MissingRepository_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
        })));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task InfoRefsUploadPack_NoRepository_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.InfoRefsAsync(server.SmartHttp.InfoRefsUploadPack(new InfoRefsRequest())));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("repository not set", error.Status.Detail);
    }
}
