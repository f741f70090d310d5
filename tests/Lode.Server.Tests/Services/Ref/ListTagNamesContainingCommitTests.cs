using Gitaly;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class ListTagNamesContainingCommitTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<List<ListTagNamesContainingCommitResponse>> CallAsync(TestRepo repo, string commit, uint limit = 0) =>
        server.Ref.ListTagNamesContainingCommit(new() { Repository = ServerFixture.Proto(repo), CommitId = commit, Limit = limit }).ReadAllAsync();

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListTagNamesContainingCommit_Tags_AsForEachRefContains(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var root = await repo.CommitAsync(branch: "main");
        var child = await repo.CommitAsync(branch: "main");
        await repo.CreateRefAsync("refs/tags/v0", root);
        await repo.CreateRefAsync("refs/tags/v1", child);
        await repo.AnnotatedTagAsync("v1-annotated", child, "annotated\n");
        await repo.AnnotatedTagAsync("blob-tag", await repo.WriteBlobAsync("x"), "blob\n");

        var names = (await CallAsync(repo, root)).SelectMany(m => m.TagNames).Select(n => n.ToStringUtf8()).ToList();

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname:lstrip=2)", "--contains=" + root, "refs/tags"), names);
        Assert.Equal(["v0", "v1", "v1-annotated"], names);
        Assert.Equal(["v1", "v1-annotated"], (await CallAsync(repo, child)).SelectMany(m => m.TagNames).Select(n => n.ToStringUtf8()));
        Assert.Single((await CallAsync(repo, child, limit: 1)).SelectMany(m => m.TagNames));
    }

    [Fact]
    public async Task ListTagNamesContainingCommit_ManyLongNames_ChunkedBelowOneMebibyte()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var longPart = new string('n', 900);
        await repo.WritePackedRefsAsync(Enumerable.Range(0, 1300).Select(i => ($"refs/tags/{i:d4}-{longPart}", commit)));

        var messages = await CallAsync(repo, commit);

        Assert.True(messages.Count > 1);
        Assert.All(messages, m => Assert.True(m.CalculateSize() < 1024 * 1024));
        Assert.Equal(1300, messages.Sum(m => m.TagNames.Count));
        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname:lstrip=2)", "refs/tags"),
            messages.SelectMany(m => m.TagNames).Select(n => n.ToStringUtf8()));
    }
}
