using Gitaly;
using Google.Protobuf;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindAllBranchesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<List<FindAllBranchesResponse>> CallAsync(TestRepo repo, bool mergedOnly = false, params string[] mergedBranches)
    {
        var request = new FindAllBranchesRequest { Repository = ServerFixture.Proto(repo), MergedOnly = mergedOnly };
        request.MergedBranches.AddRange(mergedBranches.Select(ByteString.CopyFromUtf8));
        return server.Ref.FindAllBranches(request).ReadAllAsync();
    }

    private static List<string> Names(IEnumerable<FindAllBranchesResponse> messages) =>
        messages.SelectMany(m => m.Branches).Select(b => b.Name.ToStringUtf8()).ToList();

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindAllBranches_LocalAndRemote_AsForEachRefTwentyPerMessage(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefsAsync(Enumerable.Range(0, 15).Select(i => ($"refs/remotes/origin/r{i}", commit)));
        await repo.CreateRefsAsync(Enumerable.Range(0, 10).Select(i => ($"refs/heads/l{i}", commit)));
        await repo.CreateRefAsync("refs/tags/not-a-branch", commit);

        var messages = await CallAsync(repo);

        Assert.Equal([20, 6], messages.Select(m => m.Branches.Count));
        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes"), Names(messages));
        Assert.All(messages.SelectMany(m => m.Branches), b => Assert.Equal(commit, b.Target.Id));
    }

    [Fact]
    public async Task FindAllBranches_MergedOnly_BranchesMergedIntoDefault()
    {
        var repo = await server.CreateRepoAsync();
        var root = await repo.CommitAsync(branch: "main");
        await repo.CreateRefAsync("refs/heads/merged", root);
        await repo.CreateRefAsync("refs/remotes/origin/merged", root);
        await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "unmerged", parents: [root]);

        var merged = Names(await CallAsync(repo, mergedOnly: true));
        var only = Names(await CallAsync(repo, true, "refs/heads/merged", "refs/heads/unmerged"));

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--merged=refs/heads/main", "--format=%(refname)", "refs/heads", "refs/remotes"), merged);
        Assert.Equal(["refs/heads/main", "refs/heads/merged", "refs/remotes/origin/merged"], merged);
        Assert.Equal(["refs/heads/merged"], only);
    }

    [Fact]
    public async Task FindAllBranches_MergedBranchNotUtf8_FilteredAsGit()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var name = RefRepo.Concat("refs/heads/", RefRepo.Latin1Name);
        await repo.CreateRefAsync(name, commit);
        await repo.CreateRefAsync("refs/heads/other", commit);

        var request = new FindAllBranchesRequest { Repository = ServerFixture.Proto(repo), MergedOnly = true };
        request.MergedBranches.Add(ByteString.CopyFrom(name));
        var branches = (await server.Ref.FindAllBranches(request).ReadAllAsync()).SelectMany(m => m.Branches).ToList();

        Assert.Equal(name, Assert.Single(branches).Name.ToByteArray());
    }

    [Fact]
    public async Task FindAllBranches_Empty_NoMessages()
    {
        var repo = await server.CreateRepoAsync();

        Assert.Empty(await CallAsync(repo));
    }
}
