using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class CreateRepositoryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static Gitaly.Repository NewRepository() => new()
    {
        StorageName = ServerFixture.StorageName,
        RelativePath = "@hashed/new/" + Guid.NewGuid().ToString("N") + ".git",
    };

    private string FullPath(Gitaly.Repository repo) => Path.Combine(server.StoragePath, repo.RelativePath);

    [Theory]
    [InlineData(Gitaly.ObjectFormat.Unspecified, "sha1")]
    [InlineData(Gitaly.ObjectFormat.Sha1, "sha1")]
    [InlineData(Gitaly.ObjectFormat.Sha256, "sha256")]
    public async Task CreateRepository_ObjectFormat_GitSeesThatFormat(Gitaly.ObjectFormat format, string expected)
    {
        var repo = NewRepository();

        await server.Repository.CreateRepositoryAsync(new() { Repository = repo, ObjectFormat = format });

        Assert.Equal(expected, await GitCli.RunAsync(FullPath(repo), "rev-parse", "--show-object-format"));
        Assert.Equal("true", await GitCli.RunAsync(FullPath(repo), "rev-parse", "--is-bare-repository"));
        Assert.True((await server.Repository.RepositoryExistsAsync(new() { Repository = repo })).Exists);
    }

    [Fact]
    public async Task CreateRepository_DefaultBranch_HeadPointsToIt()
    {
        var repo = NewRepository();

        await server.Repository.CreateRepositoryAsync(new() { Repository = repo, DefaultBranch = ByteString.CopyFromUtf8("develop") });

        Assert.Equal("refs/heads/develop", await GitCli.RunAsync(FullPath(repo), "symbolic-ref", "HEAD"));
    }

    [Fact]
    public async Task CreateRepository_NoDefaultBranch_HeadIsMainAndNoTemplateFiles()
    {
        var repo = NewRepository();

        await server.Repository.CreateRepositoryAsync(new() { Repository = repo });

        Assert.Equal("refs/heads/main", await GitCli.RunAsync(FullPath(repo), "symbolic-ref", "HEAD"));
        Assert.False(Directory.Exists(Path.Combine(FullPath(repo), "hooks")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.StoragePath, "+gitaly", "tmp")));
    }

    [Fact]
    public async Task CreateRepository_Exists_AlreadyExists()
    {
        var existing = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Repository.CreateRepositoryAsync(new() { Repository = ServerFixture.Proto(existing) }));

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal("creating repository: repository exists already", e.Status.Detail);
    }

    [Fact]
    public async Task CreateRepository_FileInTheWay_AlreadyExistsAndFileKept()
    {
        var repo = NewRepository();
        Directory.CreateDirectory(Path.GetDirectoryName(FullPath(repo))!);
        await File.WriteAllTextAsync(FullPath(repo), "not a repository");

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.CreateRepositoryAsync(new() { Repository = repo }));

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal("not a repository", await File.ReadAllTextAsync(FullPath(repo)));
    }

    [Fact]
    public async Task CreateRepository_InvalidDefaultBranch_InvalidArgumentAndNothingCreated()
    {
        var repo = NewRepository();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.CreateRepositoryAsync(new()
        {
            Repository = repo,
            DefaultBranch = ByteString.CopyFromUtf8("bad..name"),
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.False(Directory.Exists(FullPath(repo)));
    }

    [Fact]
    public async Task CreateRepository_ConcurrentCreates_ExactlyOneWins()
    {
        var repo = NewRepository();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            try
            {
                await server.Repository.CreateRepositoryAsync(new() { Repository = repo });
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Single(results, c => c == StatusCode.OK);
        Assert.All(results.Where(c => c != StatusCode.OK), c => Assert.True(c is StatusCode.AlreadyExists or StatusCode.FailedPrecondition, c.ToString()));
        Assert.Equal("true", await GitCli.RunAsync(FullPath(repo), "rev-parse", "--is-bare-repository"));
        Assert.False(File.Exists(FullPath(repo) + ".lock"));
    }
}
