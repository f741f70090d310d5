using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class FsckTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task Fsck_HealthyRepository_EmptyError(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(branch: "main");
        await repo.WriteBlobAsync("dangling blob");

        var reply = await server.Repository.FsckAsync(new FsckRequest { Repository = ServerFixture.Proto(repo) });

        Assert.True(reply.Error.IsEmpty);
    }

    [Fact]
    public async Task Fsck_EmptyRepository_EmptyError()
    {
        var repo = await server.CreateRepoAsync();

        var reply = await server.Repository.FsckAsync(new FsckRequest { Repository = ServerFixture.Proto(repo) });

        Assert.True(reply.Error.IsEmpty);
    }

    [Fact]
    public async Task Fsck_MissingBlob_ReportsGitsComplaint()
    {
        var repo = await server.CreateRepoAsync();
        var blob = await repo.WriteBlobAsync("this blob goes missing\n");
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["file"] = new TreeFile(Oid: blob) });
        File.Delete(Path.Combine(repo.Path, "objects", blob[..2], blob[2..]));
        var expected = await GitCli.RunBytesAsync(repo.Path, ["fsck", "--no-progress", "--no-dangling"], check: false);

        var reply = await server.Repository.FsckAsync(new FsckRequest { Repository = ServerFixture.Proto(repo) });

        var text = reply.Error.ToStringUtf8();
        Assert.Contains("missing blob " + blob, text, StringComparison.Ordinal);
        Assert.Contains(System.Text.Encoding.UTF8.GetString(expected).TrimEnd('\n'), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fsck_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.FsckAsync(new FsckRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task Fsck_MissingRepository_NotFound()
    {
        var request = new FsckRequest { Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" } };

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.FsckAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }
}
