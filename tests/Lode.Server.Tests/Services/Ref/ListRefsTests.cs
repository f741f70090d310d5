using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;
using Reference = Gitaly.ListRefsResponse.Types.Reference;

namespace Lode.Server.Tests.Services.Ref;

public sealed class ListRefsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<List<ListRefsResponse>> CallAsync(TestRepo repo, string[] patterns, bool head = false, bool peelTags = false,
        ListRefsRequest.Types.SortBy? sort = null, PaginationParameter? pagination = null, params string[] pointingAt)
    {
        var request = new ListRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Head = head,
            PeelTags = peelTags,
            SortBy = sort,
            PaginationParams = pagination,
        };
        request.Patterns.AddRange(patterns.Select(ByteString.CopyFromUtf8));
        request.PointingAtOids.AddRange(pointingAt.Select(ByteString.CopyFromUtf8));
        return server.Ref.ListRefs(request).ReadAllAsync();
    }

    private static List<Reference> Refs(IEnumerable<ListRefsResponse> messages) => messages.SelectMany(m => m.References).ToList();

    private static Reference R(string name, string target, string peeled = "") =>
        new() { Name = ByteString.CopyFromUtf8(name), Target = target, PeeledTarget = peeled };

    private async Task<(TestRepo Repo, string Old, string New, string Annotated)> SetupAsync(string format = "sha1")
    {
        var repo = await server.CreateRepoAsync(format);
        var old = await repo.CommitAtAsync("old", 1_200_000_000);
        var @new = await repo.CommitAsync(branch: "main", parents: [old], date: DateTimeOffset.FromUnixTimeSeconds(1_300_000_000));
        await repo.CreateRefAsync("refs/tags/lightweight-tag", @new);
        await repo.CreateRefAsync("refs/tags/old-commit-tag", old);
        var annotated = await repo.AnnotatedTagAsync("annotated-tag", @new, "tag message\n");
        await repo.GitAsync("symbolic-ref", "refs/heads/symbolic", "refs/heads/main");
        await repo.CreateRefAsync("refs/remote/remote-name/remote-branch", @new);
        await repo.CreateRefAsync("refs/heads/UPPER", @new);
        return (repo, old, @new, annotated);
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListRefs_AllRefs_AsForEachRef(string format)
    {
        var (repo, old, @new, annotated) = await SetupAsync(format);

        var refs = Refs(await CallAsync(repo, ["refs/"]));

        Assert.Equal(
        [
            R("refs/heads/UPPER", @new), R("refs/heads/main", @new), R("refs/heads/old", old), R("refs/heads/symbolic", @new),
            R("refs/remote/remote-name/remote-branch", @new), R("refs/tags/annotated-tag", annotated),
            R("refs/tags/lightweight-tag", @new), R("refs/tags/old-commit-tag", old),
        ], refs);
        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/"), refs.Select(r => r.Name.ToStringUtf8()));
    }

    [Fact]
    public async Task ListRefs_HeadPeelAndPointingAt_AsGitaly()
    {
        var (repo, old, @new, annotated) = await SetupAsync();

        var withHead = Refs(await CallAsync(repo, ["refs/heads/*", "refs/tags/*"], head: true));
        var peeled = Refs(await CallAsync(repo, ["refs/tags/*"], peelTags: true));
        var pointing = Refs(await CallAsync(repo, ["refs/tags/*"], pointingAt: [old, @new]));
        var noMatch = await CallAsync(repo, ["this-pattern-does-not-match-anything"], head: true);

        Assert.Equal(R("HEAD", @new), withHead[0]);
        Assert.Equal(8, withHead.Count);
        Assert.Equal([R("refs/tags/annotated-tag", annotated, @new), R("refs/tags/lightweight-tag", @new), R("refs/tags/old-commit-tag", old)], peeled);
        Assert.Equal([R("refs/tags/annotated-tag", annotated), R("refs/tags/lightweight-tag", @new), R("refs/tags/old-commit-tag", old)], pointing);
        // Gitaly sends HEAD with the first batch of refs, so with none there is no HEAD either.
        Assert.Empty(noMatch);
    }

    [Theory]
    [InlineData(ListRefsRequest.Types.SortBy.Types.Key.Authordate, SortDirection.Descending, "-authordate")]
    [InlineData(ListRefsRequest.Types.SortBy.Types.Key.Committerdate, SortDirection.Ascending, "committerdate")]
    [InlineData(ListRefsRequest.Types.SortBy.Types.Key.Creatordate, SortDirection.Descending, "-creatordate")]
    [InlineData(ListRefsRequest.Types.SortBy.Types.Key.Refname, SortDirection.Descending, "-refname")]
    public async Task ListRefs_SortBy_MatchesForEachRef(ListRefsRequest.Types.SortBy.Types.Key key, SortDirection direction, string gitSort)
    {
        var (repo, _, _, _) = await SetupAsync();

        var refs = Refs(await CallAsync(repo, ["refs/"], sort: new() { Key = key, Direction = direction }));

        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--sort=" + gitSort, "--format=%(refname)", "refs/"), refs.Select(r => r.Name.ToStringUtf8()));
    }

    [Fact]
    public async Task ListRefs_ManyRefs_TwentyPerMessageCursorOnLastMessage()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefsAsync(Enumerable.Range(0, 1100).Select(i => ($"refs/keep-around/{i:d5}", commit)));

        var all = await CallAsync(repo, ["refs/keep-around/"], head: true);
        var page = await CallAsync(repo, ["refs/keep-around/"], head: true, pagination: new() { Limit = 45 });
        var last = await CallAsync(repo, ["refs/keep-around/"], pagination: new() { Limit = 50, PageToken = "refs/keep-around/01080" });

        Assert.Equal(55, all.Count);
        Assert.Equal(21, all[0].References.Count);
        Assert.All(all.Skip(1), m => Assert.Equal(20, m.References.Count));
        Assert.All(all, m => Assert.Null(m.PaginationCursor));
        Assert.Equal(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/keep-around/"),
            Refs(all).Skip(1).Select(r => r.Name.ToStringUtf8()));
        Assert.Equal([21, 20, 5], page.Select(m => m.References.Count));
        Assert.Equal([null, null, "refs/keep-around/00044"], page.Select(m => m.PaginationCursor?.NextCursor));
        Assert.Equal(19, Refs(last).Count);
        Assert.Null(last[^1].PaginationCursor);
    }

    [Fact]
    public async Task ListRefs_PagingWithCursor_SameRefsForAnyPageSize()
    {
        var (repo, _, _, _) = await SetupAsync();

        async Task<List<string>> CollectAsync(int size)
        {
            var names = new List<string>();
            var cursor = "";
            while (true)
            {
                var messages = await CallAsync(repo, ["refs/"], pagination: new() { Limit = size, PageToken = cursor });
                names.AddRange(Refs(messages).Select(r => r.Name.ToStringUtf8()));
                var next = messages.LastOrDefault()?.PaginationCursor?.NextCursor;
                if (string.IsNullOrEmpty(next))
                {
                    return names;
                }

                cursor = next;
            }
        }

        var expected = await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "refs/");
        Assert.Equal(expected, await CollectAsync(1));
        Assert.Equal(expected, await CollectAsync(3));
        Assert.Equal(expected, await CollectAsync(100));
    }

    [Fact]
    public async Task ListRefs_NonUtf8PatternAndName_FilteredAsGit()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var latin = RefRepo.Concat("refs/heads/", RefRepo.Latin1Name);
        byte[] one = [.. latin, .. "/one"u8.ToArray()];
        byte[] two = [.. latin, .. "/two"u8.ToArray()];
        byte[] sibling = [.. latin, (byte)'x'];
        await repo.CreateRefsAsync([(one, commit), (two, commit), (sibling, commit)]);
        await repo.CreateRefAsync("refs/heads/other", commit);

        async Task<List<byte[]>> WithPatternAsync(byte[] pattern)
        {
            var request = new ListRefsRequest { Repository = ServerFixture.Proto(repo) };
            request.Patterns.Add(ByteString.CopyFrom(pattern));
            return Refs(await server.Ref.ListRefs(request).ReadAllAsync()).Select(r => r.Name.ToByteArray()).ToList();
        }

        // A name selects itself and the refs below it, not a longer sibling; '*' does not cross '/'.
        Assert.Equal([one, two], await WithPatternAsync(latin));
        Assert.Equal([sibling], await WithPatternAsync(RefRepo.Concat("refs/heads/caf", [0xe9, (byte)'*'])));
        Assert.Equal([one], await WithPatternAsync([.. "refs/**/"u8.ToArray(), .. RefRepo.Latin1Name, .. "/on?"u8.ToArray()]));
        Assert.Equal(await repo.ForEachRefAsync("%(refname)", "refs/heads/"), await WithPatternAsync("refs/heads/"u8.ToArray()));
    }

    [Fact]
    public async Task ListRefs_Validation_AsGitaly()
    {
        var repo = await server.CreateRepoAsync();

        var noPatterns = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, []));
        var badKey = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ["refs/"], sort: new() { Key = (ListRefsRequest.Types.SortBy.Types.Key)100 }));
        var badDirection = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ["refs/"], sort: new() { Direction = (SortDirection)100 }));
        var badToken = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ["refs/"], pagination: new() { PageToken = "refs/tags/missing_tag" }));

        Assert.Equal(StatusCode.InvalidArgument, noPatterns.StatusCode);
        Assert.Equal("patterns must have at least one entry", noPatterns.Status.Detail);
        Assert.Equal("sorting key \"100\" is not supported", badKey.Status.Detail);
        Assert.Equal("sorting direction is not supported", badDirection.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, badToken.StatusCode);
        Assert.Equal("invalid page token: sending lines: could not find page token", badToken.Status.Detail);
    }
}
