using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class CreateBundleTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task CreateBundle_Repository_BundleOfAllReferences(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "feature", parents: [first]);
        await repo.GitAsync("tag", "-a", "-m", "tag", "v1", first);

        var bundle = await BundleFile.WriteAsync(await CallAsync(repo));

        var verify = await GitCli.RunAsync(repo.Path, "bundle", "verify", bundle.Path);
        Assert.Contains("The bundle records a complete history", verify, StringComparison.Ordinal);
        Assert.Equal(
            (await repo.GitLinesAsync("for-each-ref", "--format=%(objectname) %(refname)")).Order(StringComparer.Ordinal),
            (await GitCli.RunAsync(repo.Path, "bundle", "list-heads", bundle.Path)).Split('\n').Where(l => !l.EndsWith(" HEAD", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateBundle_LargeRepository_ChunkedAt128KiB()
    {
        var repo = await server.CreateRepoAsync();
        var content = new byte[300_000];
        new Random(7).NextBytes(content);
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["random.bin"] = new TreeFile(content) });

        var chunks = await CallAsync(repo);

        Assert.True(chunks.Count >= 3);
        Assert.All(chunks, c => Assert.True(c.Length <= 128 * 1024));
        var bundle = await BundleFile.WriteAsync(chunks);
        Assert.Contains("complete history", await GitCli.RunAsync(repo.Path, "bundle", "verify", bundle.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateBundle_StaleWorktreeWithMissingHead_CleanedUpFirst()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");
        var worktreeCommit = await repo.CommitAsync(branch: "branch", message: "worktree");
        var worktree = Path.Combine(repo.Path, "gitlab-worktree", "worktree1");
        Directory.CreateDirectory(Path.GetDirectoryName(worktree)!);
        await repo.GitAsync("worktree", "add", "--detach", worktree, worktreeCommit);
        Directory.SetLastWriteTimeUtc(worktree, DateTime.UtcNow.AddHours(-7));
        await repo.GitAsync("update-ref", "-d", "refs/heads/branch");
        File.Delete(Path.Combine(repo.Path, "objects", worktreeCommit[..2], worktreeCommit[2..]));

        var bundle = await BundleFile.WriteAsync(await CallAsync(repo));

        Assert.False(Directory.Exists(worktree));
        Assert.Contains("complete history", await GitCli.RunAsync(repo.Path, "bundle", "verify", bundle.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateBundle_EmptyRepository_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("create bundle: refusing to create empty bundle", e.Status.Detail);
    }

    [Fact]
    public async Task CreateBundle_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.CreateBundle(new CreateBundleRequest());

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<byte[]>> CallAsync(TestRepo repo)
    {
        using var call = server.Repository.CreateBundle(new CreateBundleRequest { Repository = ServerFixture.Proto(repo) });
        var chunks = new List<byte[]>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            chunks.Add(response.Data.ToByteArray());
        }

        return chunks;
    }
}

/// <summary>A bundle written to a temp file so that git can read it; deleted at the end of the test process.</summary>
internal sealed class BundleFile
{
    private BundleFile(string path) => Path = path;

    public string Path { get; }

    public static async Task<BundleFile> WriteAsync(IEnumerable<byte[]> chunks)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lode-bundle-" + Guid.NewGuid().ToString("N") + ".bundle");
        await File.WriteAllBytesAsync(path, chunks.SelectMany(c => c).ToArray());
        return new BundleFile(path);
    }
}
