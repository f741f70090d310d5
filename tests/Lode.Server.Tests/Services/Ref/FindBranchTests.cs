using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindBranchTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<FindBranchResponse> CallAsync(TestRepo repo, byte[] name) =>
        await server.Ref.FindBranchAsync(new() { Repository = ServerFixture.Proto(repo), Name = ByteString.CopyFrom(name) });

    private Task<FindBranchResponse> CallAsync(TestRepo repo, string name) => CallAsync(repo, System.Text.Encoding.UTF8.GetBytes(name));

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindBranch_NamesAsGitaly_AlwaysUnderRefsHeads(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var plain = await repo.CommitAsync(branch: "branch", message: "plain");
        var nested = await repo.CommitAsync(branch: "heads/branch", message: "nested");
        var doubled = await repo.CommitAsync(branch: "refs/heads/branch", message: "doubled");

        var byShort = await CallAsync(repo, "branch");
        var byHeads = await CallAsync(repo, "heads/branch");
        var byFull = await CallAsync(repo, "refs/heads/branch");
        var missing = await CallAsync(repo, "i-do-not-exist");

        Assert.Equal("branch", byShort.Branch.Name.ToStringUtf8());
        Assert.Equal(plain, byShort.Branch.TargetCommit.Id);
        Assert.Equal("plain", byShort.Branch.TargetCommit.Subject.ToStringUtf8());
        Assert.Equal(nested, byHeads.Branch.TargetCommit.Id);
        Assert.Equal("refs/heads/branch", byFull.Branch.Name.ToStringUtf8());
        Assert.Equal(doubled, byFull.Branch.TargetCommit.Id);
        Assert.Null(missing.Branch);
    }

    [Fact]
    public async Task FindBranch_NonUtf8Name_Found()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefAsync(RefRepo.Concat("refs/heads/", RefRepo.Latin1Name), commit);

        var reply = await CallAsync(repo, RefRepo.Latin1Name);

        Assert.Equal(RefRepo.Latin1Name, reply.Branch.Name.ToByteArray());
        Assert.Equal(commit, reply.Branch.TargetCommit.Id);
    }

    [Fact]
    public async Task FindBranch_GlobOrParentOfBranch_AmbiguousInvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "branch");
        await repo.CommitAsync(branch: "dir/leaf");

        var glob = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "b*"));
        var parent = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "dir"));

        Assert.Equal(StatusCode.InvalidArgument, glob.StatusCode);
        Assert.Equal("target reference is ambiguous: reference is ambiguous: conflicts with \"refs/heads/branch\"", glob.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, parent.StatusCode);
        Assert.Equal("target reference is ambiguous: reference is ambiguous: conflicts with \"refs/heads/dir/leaf\"", parent.Status.Detail);
    }

    [Fact]
    public async Task FindBranch_EmptyName_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ""));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("Branch name cannot be empty", e.Status.Detail);
    }
}
