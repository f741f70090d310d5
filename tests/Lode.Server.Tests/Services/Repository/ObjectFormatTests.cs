using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class ObjectFormatTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1", Gitaly.ObjectFormat.Sha1)]
    [InlineData("sha256", Gitaly.ObjectFormat.Sha256)]
    public async Task ObjectFormat_RepositoryOfFormat_ReportsIt(string format, Gitaly.ObjectFormat expected)
    {
        var repo = await server.CreateRepoAsync(format);

        var reply = await server.Repository.ObjectFormatAsync(new() { Repository = ServerFixture.Proto(repo) });

        Assert.Equal(format, await repo.GitAsync("rev-parse", "--show-object-format"));
        Assert.Equal(expected, reply.Format);
    }
}
