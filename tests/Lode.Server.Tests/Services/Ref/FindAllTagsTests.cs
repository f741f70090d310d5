using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindAllTagsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string PgpSignature = "-----BEGIN PGP SIGNATURE-----\niQEzBAABCAAdFiEE\n-----END PGP SIGNATURE-----\n";
    private const string SshSignature = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n";

    private Task<List<FindAllTagsResponse>> CallAsync(TestRepo repo, FindAllTagsRequest.Types.SortBy? sort = null,
        PaginationParameter? pagination = null) =>
        server.Ref.FindAllTags(new() { Repository = ServerFixture.Proto(repo), SortBy = sort, PaginationParams = pagination }).ReadAllAsync();

    private static List<Tag> Tags(IEnumerable<FindAllTagsResponse> messages) => messages.SelectMany(m => m.Tags).ToList();

    /// <summary>A repository with every kind of tag: lightweight and annotated, of commits, tags, trees and blobs.</summary>
    private async Task<(TestRepo Repo, string Commit)> TagZooAsync(string format = "sha1")
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main", message: "tagged commit\n\nwith body");
        var blob = await repo.WriteBlobAsync("blob content");
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object> { ["file"] = "x" });
        await repo.CreateRefAsync("refs/tags/light", commit);
        await repo.CreateRefAsync("refs/tags/light-blob", blob);
        var annotated = await repo.AnnotatedTagAsync("annotated", commit, "annotated message\n\n\n");
        await repo.AnnotatedTagAsync("nested", annotated, "nested\n");
        await repo.AnnotatedTagAsync("blob-tag", blob, "of a blob\n");
        await repo.AnnotatedTagAsync("tree-tag", tree, "of a tree\n");
        await repo.AnnotatedTagAsync("big", commit, new string('a', 11 * 1024) + "\n");
        await repo.AnnotatedTagAsync("signed", commit, "signed message\n" + PgpSignature);
        await repo.AnnotatedTagAsync("ssh-signed", commit, "ssh\n" + SshSignature);
        await repo.CreateRefAsync("refs/tags/no-message",
            await repo.WriteRawTagAsync(Encoding.UTF8.GetBytes($"object {commit}\ntype commit\ntag no-message\ntagger {RefRepo.Tagger}\n")));
        return (repo, commit);
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindAllTags_EveryKindOfTag_AsGitSaysAndGitalyFills(string format)
    {
        var (repo, commit) = await TagZooAsync(format);

        var tags = Tags(await CallAsync(repo));

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname:lstrip=2)", "refs/tags/"), tags.Select(t => t.Name.ToStringUtf8()));
        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(objectname)", "refs/tags/"), tags.Select(t => t.Id));
        foreach (var tag in tags)
        {
            var peeled = (await repo.GitAsync("rev-parse", "refs/tags/" + tag.Name.ToStringUtf8() + "^{}")).Trim();
            var peeledType = (await repo.GitAsync("cat-file", "-t", peeled)).Trim();
            Assert.Equal(peeledType == "commit" ? peeled : null, tag.TargetCommit?.Id);
        }

        var byName = tags.ToDictionary(t => t.Name.ToStringUtf8());
        Assert.Equal(commit, byName["light"].TargetCommit.Id);
        Assert.True(byName["light"].Message.IsEmpty);
        Assert.Null(byName["light"].Tagger);
        Assert.Equal("annotated message", byName["annotated"].Message.ToStringUtf8());
        Assert.Equal(17, byName["annotated"].MessageSize);
        Assert.Equal("Tag Ger", byName["annotated"].Tagger.Name.ToStringUtf8());
        Assert.Equal("tagger@example.com", byName["annotated"].Tagger.Email.ToStringUtf8());
        Assert.Equal(1700000500, byName["annotated"].Tagger.Date.Seconds);
        Assert.Equal("+0200", byName["annotated"].Tagger.Timezone.ToStringUtf8());
        Assert.Equal(SignatureType.None, byName["annotated"].SignatureType);
        Assert.Equal(commit, byName["nested"].TargetCommit.Id);
        Assert.Equal("nested", byName["nested"].Message.ToStringUtf8());
        Assert.Null(byName["blob-tag"].TargetCommit);
        Assert.Null(byName["tree-tag"].TargetCommit);
        Assert.Equal("of a tree", byName["tree-tag"].Message.ToStringUtf8());
        Assert.Equal(10 * 1024, byName["big"].Message.Length);
        Assert.Equal(11 * 1024, byName["big"].MessageSize);
        Assert.Equal("signed message\n" + PgpSignature.TrimEnd('\n'), byName["signed"].Message.ToStringUtf8());
        Assert.Equal(SignatureType.Pgp, byName["signed"].SignatureType);
        Assert.Equal(SignatureType.Ssh, byName["ssh-signed"].SignatureType);
        Assert.True(byName["no-message"].Message.IsEmpty);
        Assert.Equal(0, byName["no-message"].MessageSize);
        Assert.Equal(commit, byName["no-message"].TargetCommit.Id);
    }

    [Theory]
    [InlineData(FindAllTagsRequest.Types.SortBy.Types.Key.Refname, SortDirection.Descending, "-refname")]
    [InlineData(FindAllTagsRequest.Types.SortBy.Types.Key.Creatordate, SortDirection.Ascending, "creatordate")]
    [InlineData(FindAllTagsRequest.Types.SortBy.Types.Key.Creatordate, SortDirection.Descending, "-creatordate")]
    [InlineData(FindAllTagsRequest.Types.SortBy.Types.Key.VersionRefname, SortDirection.Ascending, "version:refname")]
    [InlineData(FindAllTagsRequest.Types.SortBy.Types.Key.VersionRefname, SortDirection.Descending, "-version:refname")]
    public async Task FindAllTags_SortBy_MatchesForEachRef(FindAllTagsRequest.Types.SortBy.Types.Key key, SortDirection direction, string gitSort)
    {
        var repo = await server.CreateRepoAsync();
        var old = await repo.CommitAtAsync("main", 1_100_000_000);
        var newer = await repo.CommitAtAsync("main", 1_300_000_000);
        await repo.CreateRefAsync("refs/tags/v1.10", old);
        await repo.CreateRefAsync("refs/tags/v1.9", newer);
        await repo.AnnotatedTagAsync("v1.2", old, "annotated\n", tagger: "T <t@example.com> 1200000000 +0000");
        await repo.AnnotatedTagAsync("v2.0", newer, "annotated\n", tagger: "T <t@example.com> 1000000000 +0000");

        var names = Tags(await CallAsync(repo, new FindAllTagsRequest.Types.SortBy { Key = key, Direction = direction })).Select(t => "refs/tags/" + t.Name.ToStringUtf8());

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--sort=" + gitSort, "--format=%(refname)", "refs/tags/"), names);
    }

    [Fact]
    public async Task FindAllTags_Pagination_AsGitaly()
    {
        var (repo, _) = await TagZooAsync();
        var all = await repo.GitLinesAsync("for-each-ref", "--format=%(refname:lstrip=2)", "refs/tags/");

        var firstTwo = Tags(await CallAsync(repo, pagination: new() { Limit = 2 }));
        var afterToken = Tags(await CallAsync(repo, pagination: new() { Limit = 3, PageToken = "refs/tags/" + all[1] }));
        var unlimited = Tags(await CallAsync(repo, pagination: new() { Limit = -1, PageToken = "refs/tags/" + all[^2] }));

        Assert.Equal(all[..2], firstTwo.Select(t => t.Name.ToStringUtf8()));
        Assert.Equal(all[2..5], afterToken.Select(t => t.Name.ToStringUtf8()));
        Assert.Equal([all[^1]], unlimited.Select(t => t.Name.ToStringUtf8()));
        Assert.Empty(await CallAsync(repo, pagination: new()));
    }

    [Theory]
    [InlineData(3, "refs/tags/invalid")]
    [InlineData(0, "refs/tags/light")]
    public async Task FindAllTags_PageTokenNotFound_InvalidArgument(int limit, string token)
    {
        var (repo, _) = await TagZooAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, pagination: new() { Limit = limit, PageToken = token }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("could not find page token", e.Status.Detail);
    }

    [Fact]
    public async Task FindAllTags_UnknownSortValues_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var direction = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, new() { Direction = (SortDirection)7 }));
        var key = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, new() { Key = (FindAllTagsRequest.Types.SortBy.Types.Key)9 }));

        Assert.Equal(StatusCode.InvalidArgument, direction.StatusCode);
        Assert.Equal("unsupported sorting direction: 7", direction.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, key.StatusCode);
        Assert.Equal("unsupported sorting key: 9", key.Status.Detail);
    }

    [Fact]
    public async Task FindAllTags_MoreThanOneMebibyte_ChunkedAsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var tagger = RefRepo.Tagger;
        var objects = new List<(string Name, string Oid)>();
        for (var i = 0; i < 130; i++)
        {
            var name = $"t{i:d3}";
            objects.Add(("refs/tags/" + name, await repo.AnnotatedTagAsync(name, commit, new string('m', 9000) + "\n", tagger, createRef: false)));
        }

        await repo.CreateRefsAsync(objects);

        var messages = await CallAsync(repo);

        var expected = new List<int>();
        var size = 0;
        var count = 0;
        foreach (var tag in Tags(messages))
        {
            var itemSize = tag.CalculateSize();
            if (count > 0 && size + itemSize >= 1024 * 1024)
            {
                expected.Add(count);
                size = 0;
                count = 0;
            }

            size += itemSize;
            count++;
        }

        expected.Add(count);
        Assert.True(messages.Count > 1);
        Assert.Equal(expected, messages.Select(m => m.Tags.Count));
        Assert.Equal(130, Tags(messages).Count);
    }

    [Fact]
    public async Task FindAllTags_NonUtf8Name_RawBytes()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefAsync(RefRepo.Concat("refs/tags/", RefRepo.Latin1Name), commit);

        var tag = Assert.Single(Tags(await CallAsync(repo)));

        Assert.Equal(RefRepo.Latin1Name, tag.Name.ToByteArray());
        Assert.Equal(commit, tag.TargetCommit.Id);
    }

    [Fact]
    public async Task FindAllTags_NoTags_NoMessages()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        Assert.Empty(await CallAsync(repo));
    }
}
