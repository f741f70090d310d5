using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.SmartHttp;

public sealed class PostReceivePackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task PostReceivePack_NewBranch_RefCreatedAndReported(string format)
    {
        var target = await server.CreateRepoAsync(format);
        var main = await target.CommitAsync();
        using var temp = new TempDirectory();
        var source = await CloneAsync(target, temp);
        var feature = await source.CommitAsync("feature", files: new Dictionary<string, object> { ["new.txt"] = "pushed\n" }, parents: [main]);
        var pack = await GitWire.PackAsync(source, feature, main);

        var output = await SmartHttpCalls.BidiAsync(server.SmartHttp.PostReceivePack(), First(target),
            GitWire.Push(target.ZeroOid, feature, "refs/heads/feature", "report-status object-format=" + format, pack),
            data => new PostReceivePackRequest { Data = data }, r => r.Data);

        Assert.Contains("unpack ok\n", GitWire.Text(output));
        Assert.Contains("ok refs/heads/feature\n", GitWire.Text(output));
        Assert.Equal(feature, await target.GitAsync("rev-parse", "refs/heads/feature"));
        await target.GitAsync("fsck", "--no-progress");
    }

    [Fact]
    public async Task PostReceivePack_StaleOldValue_RefusedInBand()
    {
        var target = await server.CreateRepoAsync();
        var first = await target.CommitAsync();
        var second = await target.CommitAsync();
        using var temp = new TempDirectory();
        var source = await CloneAsync(target, temp);
        var mine = await source.CommitAsync("main", parents: [first]);
        var pack = await GitWire.PackAsync(source, mine, first);

        var output = await SmartHttpCalls.BidiAsync(server.SmartHttp.PostReceivePack(), First(target),
            GitWire.Push(first, mine, "refs/heads/main", "report-status", pack),
            data => new PostReceivePackRequest { Data = data }, r => r.Data);

        Assert.Contains("ng refs/heads/main", GitWire.Text(output));
        Assert.Equal(second, await target.GitAsync("rev-parse", "refs/heads/main"));
    }

    [Fact]
    public async Task PostReceivePack_SideBand_ReportInBandOne()
    {
        var target = await server.CreateRepoAsync();
        var main = await target.CommitAsync();
        using var temp = new TempDirectory();
        var source = await CloneAsync(target, temp);
        var next = await source.CommitAsync();
        var pack = await GitWire.PackAsync(source, next, main);

        var output = await SmartHttpCalls.BidiAsync(server.SmartHttp.PostReceivePack(), First(target),
            GitWire.Push(main, next, "refs/heads/main", "report-status side-band-64k quiet", pack),
            data => new PostReceivePackRequest { Data = data }, r => r.Data);

        var offset = 0;
        var packets = GitWire.ParsePackets(output, ref offset, stopAtFlush: true);
        var band1 = GitWire.Concat([.. packets.Where(p => p is { Length: > 0 } && p[0] == 1).Select(p => p![1..])]);
        Assert.Contains("ok refs/heads/main", GitWire.Text(band1));
        Assert.Equal(next, await target.GitAsync("rev-parse", "refs/heads/main"));
    }

    [Fact]
    public async Task PostReceivePack_EmptyGlId_InvalidArgument()
    {
        var target = await server.CreateRepoAsync();
        var first = First(target);
        first.GlId = "";

        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.BidiAsync(server.SmartHttp.PostReceivePack(), first, [],
            data => new PostReceivePackRequest { Data = data }, r => r.Data));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("empty GlId", error.Status.Detail);
    }

    [Fact]
    public async Task PostReceivePack_DataInFirstMessage_InvalidArgument()
    {
        var target = await server.CreateRepoAsync();
        var first = First(target);
        first.Data = ByteString.CopyFromUtf8("0000");

        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.BidiAsync(server.SmartHttp.PostReceivePack(), first, [],
            data => new PostReceivePackRequest { Data = data }, r => r.Data));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("non-empty Data", error.Status.Detail);
    }

    [Fact]
    public async Task PostReceivePack_MissingRepository_NotFound()
    {
        var first = new PostReceivePackRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
            GlId = "user-1",
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => SmartHttpCalls.BidiAsync(server.SmartHttp.PostReceivePack(), first, [],
            data => new PostReceivePackRequest { Data = data }, r => r.Data));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    internal static PostReceivePackRequest First(TestRepo target) => new()
    {
        Repository = ServerFixture.Proto(target),
        GlId = "user-1",
        GlUsername = "jane",
        GlRepository = "project-1",
    };

    /// <summary>A copy of <paramref name="target"/> outside the storage to make new objects in.</summary>
    internal static async Task<TestRepo> CloneAsync(TestRepo target, TempDirectory temp)
    {
        var source = await TestRepo.CreateAsync(Path.Combine(temp.Path, "source-" + Guid.NewGuid().ToString("N") + ".git"), target.ObjectFormat);
        await source.GitAsync("fetch", "--quiet", target.Path, "+refs/heads/*:refs/heads/*");
        return source;
    }
}
