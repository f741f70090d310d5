using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class GetConfigTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetConfig_Repository_StreamsConfigFileBytes(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.GitAsync("config", "gitlab.fullpath", "group/project");

        var chunks = await CallAsync(repo);

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(repo.Path, "config")), chunks.SelectMany(c => c).ToArray());
        Assert.Contains("fullpath = group/project", System.Text.Encoding.UTF8.GetString(chunks.SelectMany(c => c).ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetConfig_ConfigLargerThanOneChunk_SplitIn128KiBMessages()
    {
        var repo = await server.CreateRepoAsync();
        var extra = string.Concat(Enumerable.Range(0, 6000).Select(i => $"[section{i}]\n\tkey = value{i}\n"));
        await File.AppendAllTextAsync(Path.Combine(repo.Path, "config"), extra);

        var chunks = await CallAsync(repo);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.True(c.Length <= 128 * 1024));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(repo.Path, "config")), chunks.SelectMany(c => c).ToArray());
    }

    [Fact]
    public async Task GetConfig_ConfigFileMissing_NotFound()
    {
        var repo = await server.CreateRepoAsync();
        File.Delete(Path.Combine(repo.Path, "config"));

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.StartsWith("opening gitconfig: ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetConfig_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.GetConfig(new GetConfigRequest());

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<byte[]>> CallAsync(TestRepo repo)
    {
        using var call = server.Repository.GetConfig(new GetConfigRequest { Repository = ServerFixture.Proto(repo) });
        var chunks = new List<byte[]>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            chunks.Add(response.Data.ToByteArray());
        }

        return chunks;
    }
}
