using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class ObjectsSizeTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ObjectsSize_Revisions_EqualsRevListDiskUsage(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["a"] = "a\n" });
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["a"] = "a\n", ["b"] = "bbbb\n" });
        await repo.CommitAsync(branch: "feature", parents: [first], files: new Dictionary<string, object> { ["c"] = new string('c', 5000) });

        var size = await CallAsync(repo, [["main"], ["feature"]]);

        Assert.Equal(await DiskUsageAsync(repo, "main", "feature"), size);
        Assert.True(size > 0);
    }

    [Fact]
    public async Task ObjectsSize_NotPseudoRevision_SubtractsExcludedHistory()
    {
        var repo = await server.CreateRepoAsync();
        var first = await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["new"] = new string('n', 3000) });

        var size = await CallAsync(repo, [["main", "--not", first]]);

        Assert.Equal(await DiskUsageAsync(repo, "main", "--not", first), size);
        Assert.True(size < await DiskUsageAsync(repo, "main"));
    }

    [Fact]
    public async Task ObjectsSize_AllPseudoRevision_CountsEveryReference()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "other", files: new Dictionary<string, object> { ["x"] = "other\n" });

        var size = await CallAsync(repo, [["--all"]]);

        Assert.Equal(await DiskUsageAsync(repo, "--all"), size);
    }

    [Fact]
    public async Task ObjectsSize_MissingRevision_NotFound()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [["main", "refs/heads/missing"]]));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("revision not found", e.Status.Detail);
    }

    [Theory]
    [InlineData("-main", "validating revision: revision can't start with '-'")]
    [InlineData("a b", "validating revision: revision can't contain whitespace")]
    public async Task ObjectsSize_InvalidRevision_InvalidArgument(string revision, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [[revision]]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task ObjectsSize_NoRevisions_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [[]]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("no revisions specified", e.Status.Detail);
    }

    [Fact]
    public async Task ObjectsSize_RepositoryInLaterMessage_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [["main"], ["main"]], repositoryEveryMessage: true));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("subsequent requests must not contain repository", e.Status.Detail);
    }

    [Fact]
    public async Task ObjectsSize_NoMessages_InvalidArgument()
    {
        using var call = server.Repository.ObjectsSize();
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task ObjectsSize_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.ObjectsSize();
        await call.RequestStream.WriteAsync(new ObjectsSizeRequest { Revisions = { ByteString.CopyFromUtf8("main") } });
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<ulong> CallAsync(TestRepo repo, string[][] batches, bool repositoryEveryMessage = false)
    {
        using var call = server.Repository.ObjectsSize();
        for (var i = 0; i < batches.Length; i++)
        {
            var request = new ObjectsSizeRequest();
            if (i == 0 || repositoryEveryMessage)
            {
                request.Repository = ServerFixture.Proto(repo);
            }

            request.Revisions.AddRange(batches[i].Select(ByteString.CopyFromUtf8));
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).Size;
    }

    private static async Task<ulong> DiskUsageAsync(TestRepo repo, params string[] revisions) =>
        ulong.Parse(await repo.GitAsync(["rev-list", "--disk-usage", "--objects", .. revisions]), System.Globalization.CultureInfo.InvariantCulture);
}
