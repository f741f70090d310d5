using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindDefaultBranchNameTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<byte[]> CallAsync(TestRepo repo, bool headOnly = false) =>
        (await server.Ref.FindDefaultBranchNameAsync(new() { Repository = ServerFixture.Proto(repo), HeadOnly = headOnly })).Name.ToByteArray();

    [Fact]
    public async Task FindDefaultBranchName_EmptyRepository_Empty()
    {
        var repo = await server.CreateRepoAsync();

        Assert.Empty(await CallAsync(repo));
        Assert.Equal("refs/heads/main", Encoding.UTF8.GetString(await CallAsync(repo, headOnly: true)));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindDefaultBranchName_OnlyBranchIsNotHead_ReturnsThatBranch(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(branch: "banana");

        Assert.Equal(["refs/heads/banana"], await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/heads/"));
        Assert.Equal("refs/heads/banana", Encoding.UTF8.GetString(await CallAsync(repo)));
        Assert.Equal("refs/heads/main", Encoding.UTF8.GetString(await CallAsync(repo, headOnly: true)));
    }

    [Fact]
    public async Task FindDefaultBranchName_HeadPointsAtExistingBranch_ReturnsHeadTarget()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "feature");
        await repo.GitAsync("symbolic-ref", "HEAD", "refs/heads/feature");

        Assert.Equal("refs/heads/feature", Encoding.UTF8.GetString(await CallAsync(repo)));
    }

    [Theory]
    [InlineData(new[] { "master", "main", "aaa" }, "refs/heads/main")]
    [InlineData(new[] { "master", "aaa" }, "refs/heads/master")]
    [InlineData(new[] { "zzz", "aaa" }, "refs/heads/aaa")]
    public async Task FindDefaultBranchName_HeadMissing_FallsBackMainMasterFirst(string[] branches, string expected)
    {
        var repo = await server.CreateRepoAsync();
        foreach (var branch in branches)
        {
            await repo.CommitAsync(branch: branch);
        }

        await repo.GitAsync("symbolic-ref", "HEAD", "refs/heads/gone");

        Assert.Equal(expected, Encoding.UTF8.GetString(await CallAsync(repo)));
        Assert.Equal("refs/heads/gone", Encoding.UTF8.GetString(await CallAsync(repo, headOnly: true)));
    }

    [Fact]
    public async Task FindDefaultBranchName_HeadPointsAtNonBranchRef_ReturnsIt()
    {
        // Gitaly's v16+ algorithm only asks whether HEAD's target resolves, not whether it is a branch.
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefAsync("refs/other/x", commit);
        await repo.GitAsync("symbolic-ref", "HEAD", "refs/other/x");

        Assert.Equal("refs/other/x", Encoding.UTF8.GetString(await CallAsync(repo)));
    }

    [Fact]
    public async Task FindDefaultBranchName_NonUtf8HeadTarget_ReturnsRawBytes()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var name = RefRepo.Concat("refs/heads/", RefRepo.Latin1Name);
        await repo.CreateRefAsync(name, commit);
        await File.WriteAllBytesAsync(Path.Combine(repo.Path, "HEAD"), [.. "ref: "u8.ToArray(), .. name, (byte)'\n']);

        Assert.Equal(name, await CallAsync(repo));
        Assert.Equal(name, await CallAsync(repo, headOnly: true));
    }

    [Fact]
    public async Task FindDefaultBranchName_DetachedHead_Internal()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.GitAsync("update-ref", "--no-deref", "HEAD", commit);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));
        var headOnly = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, headOnly: true));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("get default branch: ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Internal, headOnly.StatusCode);
        Assert.StartsWith("head reference: ", headOnly.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindDefaultBranchName_RepositoryErrors_GitalyCodes()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => server.Ref.FindDefaultBranchNameAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "nope.git" },
        }).ResponseAsync);
        var unset = await Assert.ThrowsAsync<RpcException>(() => server.Ref.FindDefaultBranchNameAsync(new()).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, unset.StatusCode);
        Assert.Equal("repository not set", unset.Status.Detail);
    }
}
