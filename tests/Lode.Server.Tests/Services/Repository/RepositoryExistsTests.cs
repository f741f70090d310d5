using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class RepositoryExistsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task RepositoryExists_RepositoryCreatedByGit_ReturnsTrue()
    {
        var repo = await server.CreateRepoAsync();

        var reply = await server.Repository.RepositoryExistsAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.Equal("true", await repo.GitAsync("rev-parse", "--is-bare-repository"));
        Assert.True(reply.Exists);
    }

    [Fact]
    public async Task RepositoryExists_NoSuchPath_ReturnsFalse()
    {
        var reply = await server.Repository.RepositoryExistsAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
        });

        Assert.False(reply.Exists);
    }

    [Fact]
    public async Task RepositoryExists_FolderWithoutHead_ReturnsFalse()
    {
        var repo = await server.CreateRepoAsync();
        File.Delete(Path.Combine(repo.Path, "HEAD"));

        var reply = await server.Repository.RepositoryExistsAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.False(reply.Exists);
    }

    [Fact]
    public async Task RepositoryExists_UnknownStorage_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.RepositoryExistsAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = "nope", RelativePath = "a.git" },
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("storage name not found", e.Status.Detail);
    }
}
