using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

#pragma warning disable CS0612, CS0618 // GetInfoAttributes is deprecated in the protocol; it is still served.

public sealed class GetInfoAttributesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetInfoAttributes_HeadHasGitattributes_StreamsIt(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        const string attributes = "*.go diff=go text\n*.jpg -text\n";
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { [".gitattributes"] = attributes, ["a.go"] = "x" });

        var chunks = await CallAsync(repo);

        Assert.Equal(attributes, System.Text.Encoding.UTF8.GetString(chunks.SelectMany(c => c).ToArray()));
        Assert.Equal(await repo.GitBytesAsync(["cat-file", "-p", "HEAD:.gitattributes"]), chunks.SelectMany(c => c).ToArray());
    }

    [Fact]
    public async Task GetInfoAttributes_LargeFile_ChunkedAt128KiB()
    {
        var repo = await server.CreateRepoAsync();
        var attributes = string.Concat(Enumerable.Range(0, 20000).Select(i => $"*.ext{i} text\n"));
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { [".gitattributes"] = attributes });

        var chunks = await CallAsync(repo);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.True(c.Length <= 128 * 1024));
        Assert.Equal(attributes, System.Text.Encoding.UTF8.GetString(chunks.SelectMany(c => c).ToArray()));
    }

    [Fact]
    public async Task GetInfoAttributes_NoGitattributes_OneEmptyMessage()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var chunks = await CallAsync(repo);

        Assert.Empty(Assert.Single(chunks));
    }

    [Fact]
    public async Task GetInfoAttributes_EmptyRepository_OneEmptyMessage()
    {
        var repo = await server.CreateRepoAsync();

        var chunks = await CallAsync(repo);

        Assert.Empty(Assert.Single(chunks));
    }

    [Fact]
    public async Task GetInfoAttributes_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.GetInfoAttributes(new GetInfoAttributesRequest());

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<byte[]>> CallAsync(TestRepo repo)
    {
        using var call = server.Repository.GetInfoAttributes(new GetInfoAttributesRequest { Repository = ServerFixture.Proto(repo) });
        var chunks = new List<byte[]>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            chunks.Add(response.Attributes.ToByteArray());
        }

        return chunks;
    }
}
