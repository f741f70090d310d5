using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class RefExistsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<bool> CallAsync(TestRepo repo, byte[] name) =>
        (await server.Ref.RefExistsAsync(new() { Repository = ServerFixture.Proto(repo), Ref = ByteString.CopyFrom(name) })).Value;

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task RefExists_VariousNames_MatchShowRefVerify(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefAsync("refs/tags/v1", commit);
        await repo.CreateRefAsync("refs/keep-around/" + commit, commit);
        await repo.GitAsync("symbolic-ref", "refs/heads/sym", "refs/heads/main");

        foreach (var name in new[] { "refs/heads/main", "refs/tags/v1", "refs/keep-around/" + commit, "refs/heads/sym", "refs/heads/nope", "refs/heads", "refs/heads/ma" })
        {
            var expected = await ShowRefExitsZeroAsync(repo, name);
            Assert.True(expected == await CallAsync(repo, System.Text.Encoding.UTF8.GetBytes(name)), name);
        }
    }

    [Fact]
    public async Task RefExists_NonUtf8Name_Found()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var name = RefRepo.Concat("refs/heads/", RefRepo.Latin1Name);
        await repo.CreateRefAsync(name, commit);

        Assert.True(await CallAsync(repo, name));
        Assert.False(await CallAsync(repo, RefRepo.Concat("refs/heads/x", RefRepo.Latin1Name)));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("heads/main")]
    [InlineData("")]
    public async Task RefExists_NotFullyQualified_InvalidArgument(string name)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, System.Text.Encoding.UTF8.GetBytes(name)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid refname", e.Status.Detail);
    }

    private static async Task<bool> ShowRefExitsZeroAsync(TestRepo repo, string name)
    {
        try
        {
            await GitCli.RunBytesAsync(repo.Path, ["show-ref", "--verify", "--quiet", name]);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
