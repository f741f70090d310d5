using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class RemoveRepositoryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task RemoveRepository_Existing_GoneAndNothingStaged()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        await server.Repository.RemoveRepositoryAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.False(Directory.Exists(repo.Path));
        Assert.False(File.Exists(repo.Path + ".lock"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.StoragePath, "+gitaly", "tmp")));
        Assert.False((await server.Repository.RepositoryExistsAsync(new() { Repository = ServerFixture.Proto(repo) })).Exists);
    }

    [Fact]
    public async Task RemoveRepository_Missing_NotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.RemoveRepositoryAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "never-existed.git" },
        }));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("repository does not exist", e.Status.Detail);
    }

    [Fact]
    public async Task RemoveRepository_Locked_FailedPreconditionAndKept()
    {
        var repo = await server.CreateRepoAsync();
        await File.WriteAllTextAsync(repo.Path + ".lock", "");
        try
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () =>
                await server.Repository.RemoveRepositoryAsync(new() { Repository = ServerFixture.Proto(repo) }));

            Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
            Assert.True(Directory.Exists(repo.Path));
        }
        finally
        {
            File.Delete(repo.Path + ".lock");
        }
    }
}
