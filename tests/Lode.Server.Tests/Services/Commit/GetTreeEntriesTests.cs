using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;
using EntryType = Gitaly.TreeEntry.Types.EntryType;
using SortBy = Gitaly.GetTreeEntriesRequest.Types.SortBy;

namespace Lode.Server.Tests.Services.Commit;

public sealed class GetTreeEntriesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetTreeEntries_NonRecursive_MatchesLsTree(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: MixedTree(repo));

        var (entries, _) = await CallAsync(Request(repo, "main", "dir", skipFlatPaths: true));

        var expected = await LsTreeAsync(repo, "main:dir", recursive: false, prefix: "dir/");
        Assert.Equal(expected, entries.Select(Describe));
        Assert.All(entries, e => Assert.Equal("main", e.CommitOid));
        Assert.All(entries, e => Assert.True(e.FlatPath.IsEmpty));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetTreeEntries_Recursive_MatchesLsTreeRecursive(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(files: MixedTree(repo));

        var (entries, _) = await CallAsync(Request(repo, commit, ".", recursive: true));

        var expected = await LsTreeAsync(repo, commit + ":", recursive: true, prefix: "");
        Assert.Equal(expected, entries.Select(Describe));
        Assert.All(entries, e => Assert.Equal(commit, e.CommitOid));
        Assert.All(entries, e => Assert.True(e.FlatPath.IsEmpty));
    }

    [Fact]
    public async Task GetTreeEntries_FlatPaths_FollowSingleSubtreeChainsUpToNineLevels()
    {
        var repo = await server.CreateRepoAsync();
        var deep = string.Join('/', Enumerable.Range(1, 12)) + "/file";
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["a/b/c/file"] = "x",
            ["a/b/c/other"] = "y",
            ["single/only/file"] = "z",
            ["two/x/f"] = "1",
            ["two/y/f"] = "2",
            ["0/" + deep] = "deep",
            ["top"] = "t",
        });

        var (entries, _) = await CallAsync(Request(repo, "main", "."));

        var flat = entries.ToDictionary(e => e.Path.ToStringUtf8(), e => e.FlatPath.ToStringUtf8());
        Assert.Equal("a/b/c", flat["a"]);
        Assert.Equal("single/only", flat["single"]);
        Assert.Equal("two", flat["two"]);
        Assert.Equal("top", flat["top"]);
        Assert.Equal("0/1/2/3/4/5/6/7/8/9", flat["0"]);
    }

    [Fact]
    public async Task GetTreeEntries_SortTreesFirstAndFilesystem_OrderAsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["a.txt"] = "a",
            ["b/x"] = "x",
            ["c"] = new TreeFile(Mode: "160000", Oid: new string('1', repo.HexLength)),
            ["Foo.A/Bar"] = "1",
            ["Foo.A.Test/Bar"] = "2",
            ["z.txt"] = "z",
        });

        var (treesFirst, _) = await CallAsync(Request(repo, "main", ".", sort: SortBy.TreesFirst));
        var (filesystem, _) = await CallAsync(Request(repo, "main", ".", recursive: true, sort: SortBy.Filesystem));

        // git orders "Foo.A.Test" before "Foo.A" (a tree sorts as "Foo.A/").
        Assert.Equal(["Foo.A.Test", "Foo.A", "b", "a.txt", "z.txt", "c"], treesFirst.Select(e => e.Path.ToStringUtf8()));
        var paths = filesystem.Select(e => e.Path.ToStringUtf8()).ToList();
        Assert.Equal(paths.OrderBy(p => p, StringComparer.Ordinal), paths);
        Assert.Equal(["Foo.A", "Foo.A.Test", "Foo.A.Test/Bar", "Foo.A/Bar"], paths.Take(4));
    }

    [Fact]
    public async Task GetTreeEntries_PagingAcrossPages_VisitsEveryEntryOnce()
    {
        var repo = await server.CreateRepoAsync();
        var files = new Dictionary<string, object>();
        for (var i = 0; i < 23; i++)
        {
            files[$"f{i:D2}"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await repo.CommitAsync(files: files);
        var (all, _) = await CallAsync(Request(repo, "main", "."));

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var request = Request(repo, "main", ".");
            request.PaginationParams = new PaginationParameter { Limit = 10, PageToken = token };
            var (page, cursor) = await CallAsync(request);
            seen.AddRange(page.Select(e => e.Path.ToStringUtf8()));
            token = cursor!.NextCursor;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(3, pages);
        Assert.Equal(all.Select(e => e.Path.ToStringUtf8()), seen);
    }

    [Fact]
    public async Task GetTreeEntries_PageToken_IsGitalysJsonWithTreeId()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["dir/a"] = "a", ["dir/b<&>"] = "b", ["dir/c"] = "c" });
        var request = Request(repo, "main", "dir");
        request.PaginationParams = new PaginationParameter { Limit = 2 };

        var (page, cursor) = await CallAsync(request);

        Assert.Equal(2, page.Count);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(cursor!.NextCursor));
        var treeOid = await repo.RevParseAsync("main:dir");
        Assert.Equal("{\"file_name\":\"dir/b\\u003c\\u0026\\u003e\",\"tree_oid\":\"" + treeOid + "\"}", json);
    }

    [Fact]
    public async Task GetTreeEntries_BranchMovesBetweenPages_ContinuesInFirstTree()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["dir1/file2"] = "2", ["dir2/file3"] = "3" });
        var first = Request(repo, "main", ".", recursive: true);
        first.PaginationParams = new PaginationParameter { Limit = 2 };
        var (_, cursor) = await CallAsync(first);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["new_dir/new_file"] = "n" });

        var second = Request(repo, "main", ".", recursive: true);
        second.PaginationParams = new PaginationParameter { Limit = 2, PageToken = cursor!.NextCursor };
        var (page, next) = await CallAsync(second);

        Assert.Equal(["dir2", "dir2/file3"], page.Select(e => e.Path.ToStringUtf8()));
        Assert.Equal("", next!.NextCursor);
    }

    [Fact]
    public async Task GetTreeEntries_LimitZeroAndNegative_NothingOrEverything()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "a", ["b"] = "b" });
        var zero = Request(repo, "main", ".");
        zero.PaginationParams = new PaginationParameter { Limit = 0 };
        var negative = Request(repo, "main", ".");
        negative.PaginationParams = new PaginationParameter { Limit = -1 };

        var (none, noCursor) = await CallAsync(zero);
        var (every, cursor) = await CallAsync(negative);

        Assert.Empty(none);
        Assert.Null(noCursor);
        Assert.Equal(2, every.Count);
        Assert.Equal("", cursor!.NextCursor);
    }

    [Fact]
    public async Task GetTreeEntries_OldStyleOidToken_StartsAfterThatObject()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "a", ["b"] = "b", ["c"] = "c" });
        var request = Request(repo, "main", ".");
        request.PaginationParams = new PaginationParameter { Limit = 5, PageToken = await repo.RevParseAsync("main:a") };

        var (page, _) = await CallAsync(request);

        Assert.Equal(["b", "c"], page.Select(e => e.Path.ToStringUtf8()));
    }

    [Fact]
    public async Task GetTreeEntries_UnknownToken_InternalCouldNotFindStart()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var request = Request(repo, "main", ".");
        request.PaginationParams = new PaginationParameter { Limit = 5, PageToken = "non-existent" };

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("could not find starting OID: non-existent", e.Status.Detail);
    }

    [Fact]
    public async Task GetTreeEntries_NonUtf8Names_ReturnedAsBytes()
    {
        var repo = await server.CreateRepoAsync();
        byte[] raw = [(byte)'d', (byte)'/', 0xE9, (byte)'t', (byte)'e'];
        await repo.CommitAsync(files: new Dictionary<string, object> { ["x"] = new TreeFile("v"u8.ToArray(), RawPath: raw) });

        var (entries, _) = await CallAsync(Request(repo, "main", "d"));

        Assert.Equal(raw, Assert.Single(entries).Path.ToByteArray());
    }

    [Fact]
    public async Task GetTreeEntries_EmptyPath_InvalidArgumentWithPathError()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, "main", "")));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("empty path", e.Status.Detail);
        Assert.Equal(PathError.Types.ErrorType.EmptyPath, Detail<GetTreeEntriesError>(e).Path.ErrorType);
    }

    [Theory]
    [InlineData("", "empty revision")]
    [InlineData("--output=/meow", "revision can't start with '-'")]
    public async Task GetTreeEntries_InvalidRevision_InvalidArgument(string revision, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, revision, ".")));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Theory]
    [InlineData("main", "does-not-exist", false, StatusCode.InvalidArgument, "invalid revision or path")]
    [InlineData("main", "does-not-exist", true, StatusCode.NotFound, "invalid revision or path")]
    [InlineData("does-not-exist", ".", false, StatusCode.InvalidArgument, "invalid revision or path")]
    [InlineData("does-not-exist", ".", true, StatusCode.NotFound, "invalid revision or path")]
    [InlineData("main", "./folder", false, StatusCode.InvalidArgument, "invalid revision or path")]
    [InlineData("main", "./..", false, StatusCode.InvalidArgument, "invalid revision or path")]
    [InlineData("main", "folder/../folder", false, StatusCode.InvalidArgument, "invalid revision or path")]
    [InlineData("main", "README.md", false, StatusCode.InvalidArgument, "path not treeish")]
    [InlineData("main", "README.md", true, StatusCode.InvalidArgument, "path not treeish")]
    [InlineData("main", "submodule", false, StatusCode.NotFound, "revision doesn't exist")]
    [InlineData("main", "submodule/foo", false, StatusCode.InvalidArgument, "invalid revision or path")]
    public async Task GetTreeEntries_Unresolvable_ErrorWithResolveTreeDetail(string revision, string path, bool recursive,
        StatusCode code, string message)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["README.md"] = "readme",
            ["folder/test.txt"] = "test",
            ["submodule"] = new TreeFile(Mode: "160000", Oid: new string('2', repo.HexLength)),
        });

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, revision, path, recursive)));

        Assert.Equal(code, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
        Assert.Equal(revision, Detail<GetTreeEntriesError>(e).ResolveTree.Revision.ToStringUtf8());
    }

    [Fact]
    public async Task GetTreeEntries_EmptyRepository_InvalidRevisionOrPath()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, "HEAD", ".")));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid revision or path", e.Status.Detail);
    }

    [Fact]
    public async Task GetTreeEntries_TrailingSlashAndTreeRevision_Accepted()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["dir/a"] = "a" });
        var tree = await repo.RevParseAsync("main^{tree}");

        var (slash, _) = await CallAsync(Request(repo, "main", "dir/"));
        var (byTree, _) = await CallAsync(Request(repo, tree, "dir"));

        Assert.Equal("dir/a", Assert.Single(slash).Path.ToStringUtf8());
        Assert.Equal("dir/a", Assert.Single(byTree).Path.ToStringUtf8());
    }

    /// <summary>A tree with every entry kind: blobs, an executable, a symlink, a submodule, nested trees.</summary>
    private static Dictionary<string, object> MixedTree(TestRepo repo) => new()
    {
        ["dir/a.txt"] = "a",
        ["dir/run.sh"] = new TreeFile("#!/bin/sh\n"u8.ToArray(), Mode: "100755"),
        ["dir/link"] = new TreeFile("a.txt"u8.ToArray(), Mode: "120000"),
        ["dir/sub"] = new TreeFile(Mode: "160000", Oid: new string('3', repo.HexLength)),
        ["dir/nested/deeper/x"] = "x",
        ["dir/nested/y"] = "y",
        ["top.md"] = "top",
    };

    /// <summary>What git says about a tree: "mode type oid path" per entry.</summary>
    private static async Task<List<string>> LsTreeAsync(TestRepo repo, string treeish, bool recursive, string prefix)
    {
        List<string> args = recursive ? ["ls-tree", "-z", "-r", "-t", treeish] : ["ls-tree", "-z", treeish];
        var output = Encoding.UTF8.GetString(await repo.GitBytesAsync(args));
        var result = new List<string>();
        foreach (var record in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = record.IndexOf('\t', StringComparison.Ordinal);
            var fields = record[..tab].Split(' ');
            var type = fields[1] switch { "tree" => EntryType.Tree, "commit" => EntryType.Commit, _ => EntryType.Blob };
            result.Add($"{Convert.ToInt32(fields[0], 8)} {type} {fields[2]} {prefix}{record[(tab + 1)..]}");
        }

        return result;
    }

    private static string Describe(Gitaly.TreeEntry e) => $"{e.Mode} {e.Type} {e.Oid} {e.Path.ToStringUtf8()}";

    private static GetTreeEntriesRequest Request(TestRepo repo, string revision, string path, bool recursive = false,
        SortBy sort = SortBy.Default, bool skipFlatPaths = false) => new()
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8(revision),
            Path = ByteString.CopyFromUtf8(path),
            Recursive = recursive,
            Sort = sort,
            SkipFlatPaths = skipFlatPaths,
        };

    private async Task<(List<Gitaly.TreeEntry> Entries, PaginationCursor? Cursor)> CallAsync(GetTreeEntriesRequest request)
    {
        using var call = server.Commit.GetTreeEntries(request);
        var entries = new List<Gitaly.TreeEntry>();
        PaginationCursor? cursor = null;
        var first = true;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            if (first)
            {
                cursor = response.PaginationCursor;
                first = false;
            }
            else
            {
                Assert.Null(response.PaginationCursor);
            }

            entries.AddRange(response.Entries);
        }

        return (entries, cursor);
    }

    private static T Detail<T>(RpcException e)
        where T : class, IMessage<T>, new()
    {
        var status = e.GetRpcStatus() ?? throw new InvalidOperationException("no status details");
        return status.Details[0].Unpack<T>();
    }
}
