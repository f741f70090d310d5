using System.Globalization;
using System.Text.RegularExpressions;
using Gitaly;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed partial class FindCommitsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "sha1", "plain" },
        { "sha256", "plain" },
        { "sha1", "limit" },
        { "sha1", "offset" },
        { "sha1", "path" },
        { "sha1", "wildcard path" },
        { "sha1", "literal pathspec" },
        { "sha1", "author" },
        { "sha1", "skip merges" },
        { "sha1", "first parent" },
        { "sha1", "topo order" },
        { "sha1", "all" },
        { "sha1", "dates" },
        { "sha1", "message regex" },
        { "sha1", "default branch" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FindCommits_Options_MatchGitLog(string format, string option)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, _) = await ListCommitsTests.MergeHistoryAsync(repo);
        await repo.CommitAsync(branch: "other", message: "unrelated", parents: [], date: DateTimeOffset.FromUnixTimeSeconds(1700000500));
        var request = new FindCommitsRequest { Repository = ServerFixture.Proto(repo), Revision = ByteString.CopyFromUtf8(merge), Limit = 9000 };
        List<string> flags = ["--max-count=9000"];
        List<string> revisions = [merge];
        List<string> paths = [];
        switch (option)
        {
            case "limit":
                request.Limit = 2;
                flags = ["--max-count=2"];
                break;
            case "offset":
                request.Offset = 2;
                flags.Add("--skip=2");
                break;
            case "path":
                request.Paths.Add(ByteString.CopyFromUtf8("b.txt"));
                paths.Add("b.txt");
                break;
            case "wildcard path":
                request.Paths.Add(ByteString.CopyFromUtf8("*.txt"));
                paths.Add("*.txt");
                break;
            case "literal pathspec":
                request.Paths.Add(ByteString.CopyFromUtf8("a.*"));
                request.GlobalOptions = new GlobalOptions { LiteralPathspecs = true };
                flags.Insert(0, "--literal-pathspecs");
                paths.Add("a.*");
                break;
            case "author":
                request.Author = ByteString.CopyFromUtf8("Other");
                flags.Add("--author=Other");
                break;
            case "skip merges":
                request.SkipMerges = true;
                flags.Add("--no-merges");
                break;
            case "first parent":
                request.FirstParent = true;
                flags.Add("--first-parent");
                break;
            case "topo order":
                request.Order = FindCommitsRequest.Types.Order.Topo;
                flags.Add("--topo-order");
                break;
            case "all":
                request.Revision = ByteString.Empty;
                request.All = true;
                flags.AddRange(["--all", "--reverse"]);
                revisions = [];
                break;
            case "dates":
                request.After = new Timestamp { Seconds = 1700000150 };
                request.Before = new Timestamp { Seconds = 1700000350 };
                flags.AddRange(["--after=@1700000150", "--before=@1700000350"]);
                break;
            case "message regex":
                request.MessageRegex = "^le.t$";
                flags.Add("--grep=^le.t$");
                break;
            case "default branch":
                request.Revision = ByteString.Empty;
                revisions = ["refs/heads/main"];
                break;
        }

        var commits = await FindAsync(request);

        var git = flags[0] == "--literal-pathspecs" ? ["--literal-pathspecs", "log", "--format=%H", .. flags[1..]] : new List<string> { "log", "--format=%H" }.Concat(flags).ToList();
        var expected = await repo.GitLinesAsync([.. git, .. revisions, "--", .. paths]);
        Assert.True(option == "literal pathspec" ? expected.Length == 0 : expected.Length > 0, option);
        Assert.Equal(await CommitTestData.ExpectedAsync(repo, expected), commits);
    }

    [Fact]
    public async Task FindCommits_FollowRenames_WithAndWithoutOffset()
    {
        var repo = await server.CreateRepoAsync();
        var content = "content that is being moved around\nwith a second line\n";
        for (var i = 0; i < 6; i++)
        {
            await repo.CommitAsync(files: new Dictionary<string, object> { ["file" + i] = content, ["static"] = "s" + i });
        }

        var expected = await repo.GitLinesAsync("log", "--format=%H", "--follow", "main", "--", "file5");
        Assert.Equal(6, expected.Length);
        for (var offset = 0; offset < 7; offset++)
        {
            var commits = await FindAsync(new FindCommitsRequest
            {
                Repository = ServerFixture.Proto(repo),
                Revision = ByteString.CopyFromUtf8("main"),
                Paths = { ByteString.CopyFromUtf8("file5") },
                Follow = true,
                Offset = offset,
                Limit = 9000,
            });

            Assert.Equal(expected.Skip(offset), commits.Select(c => c.Id));
        }

        var limited = await FindAsync(new FindCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("main"),
            Paths = { ByteString.CopyFromUtf8("file5") },
            Follow = true,
            Offset = 2,
            Limit = 3,
        });
        Assert.Equal(expected.Skip(2).Take(3), limited.Select(c => c.Id));
    }

    [Fact]
    public async Task FindCommits_NonUtf8BranchAndPath_MatchGitLogStdin()
    {
        var repo = await server.CreateRepoAsync();
        byte[] path = [(byte)'d', 0xe9, (byte)'j', 0xe0];
        var first = await repo.CommitAsync(files: new Dictionary<string, object> { ["x"] = new TreeFile("1"u8.ToArray(), RawPath: path) });
        await repo.CommitAsync(files: new Dictionary<string, object> { ["x"] = new TreeFile("1"u8.ToArray(), RawPath: path), ["y"] = "y" });
        var third = await repo.CommitAsync(files: new Dictionary<string, object> { ["x"] = new TreeFile("2"u8.ToArray(), RawPath: path), ["y"] = "y" });
        byte[] branch = [.. "refs/heads/br"u8, 0xe9];
        await CommitTestData.UpdateRawRefAsync(repo, branch, third);

        var commits = await FindAsync(new FindCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFrom(branch),
            Paths = { ByteString.CopyFrom(path) },
            Limit = 10,
        });

        var expected = await CommitTestData.GitRawLinesAsync(repo, ["log", "--format=%H", "--stdin"], [.. branch, (byte)'\n', .. "--\n"u8, .. path, (byte)'\n']);
        Assert.Equal(expected.Select(e => System.Text.Encoding.ASCII.GetString(e)), commits.Select(c => c.Id));
        Assert.Equal([third, first], commits.Select(c => c.Id));
    }

    [Fact]
    public async Task FindCommits_ZeroLimit_NoCommitsEvenForBadRevision()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var ok = await FindAsync(new FindCommitsRequest { Repository = ServerFixture.Proto(repo), Revision = ByteString.CopyFromUtf8("main") });
        var bad = await FindAsync(new FindCommitsRequest { Repository = ServerFixture.Proto(repo), Revision = ByteString.CopyFromUtf8("nope") });

        Assert.Empty(ok);
        Assert.Empty(bad);
    }

    [Fact]
    public async Task FindCommits_TrailersRefsAndShortStats_MatchGit()
    {
        var repo = await server.CreateRepoAsync();
        var first = await repo.CommitAsync(message: "first\n\nSigned-off-by: me\n", files: new Dictionary<string, object>
        {
            ["deleted"] = "to be deleted\n",
            ["modified"] = "to be modified\n",
        });
        var second = await repo.CommitAsync(message: "second\n\nCo-authored-by: You <you@example.com>\nFixes: #12\n",
            files: new Dictionary<string, object> { ["created"] = "created\n", ["modified"] = "modified\n" });
        await repo.GitAsync("tag", "v1.0", first);
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v2.0", second);
        await repo.GitAsync("update-ref", "refs/heads/feature", first);
        await repo.GitAsync("update-ref", "refs/merge-requests/1/head", second);

        var commits = await FindAsync(new FindCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("main"),
            Limit = 10,
            Trailers = true,
            IncludeShortstat = true,
            IncludeReferencedBy = { ByteString.CopyFromUtf8("refs/heads/"), ByteString.CopyFromUtf8("refs/tags"), ByteString.CopyFromUtf8("HEAD") },
        });

        Assert.Equal([second, first], commits.Select(c => c.Id));
        foreach (var commit in commits)
        {
            var expected = await CommitTestData.ExpectedAsync(repo, commit.Id);
            var trailers = await repo.GitAsync("log", "-1", "--format=%(trailers:unfold,separator=%x00)", commit.Id);
            Assert.Equal(trailers.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split(':', 2)[0]), commit.Trailers.Select(t => t.Key.ToStringUtf8()));
            Assert.Equal(trailers.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split(':', 2)[1].Trim()), commit.Trailers.Select(t => t.Value.ToStringUtf8()));

            var stat = ShortStat().Match(await repo.GitAsync("show", "--shortstat", "--format=", commit.Id));
            Assert.Equal(int.Parse(stat.Groups[1].Value, CultureInfo.InvariantCulture), commit.ShortStats.ChangedFiles);
            Assert.Equal(stat.Groups[3].Success ? int.Parse(stat.Groups[3].Value, CultureInfo.InvariantCulture) : 0, commit.ShortStats.Additions);
            Assert.Equal(stat.Groups[5].Success ? int.Parse(stat.Groups[5].Value, CultureInfo.InvariantCulture) : 0, commit.ShortStats.Deletions);

            var pointing = new HashSet<string>(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", "--points-at=" + commit.Id, "refs/heads/", "refs/tags/"));
            if (await repo.RevParseAsync("HEAD") == commit.Id)
            {
                pointing.Add("HEAD");
            }

            Assert.Equal(pointing.Order(StringComparer.Ordinal), commit.ReferencedBy.Select(r => r.ToStringUtf8()).Order(StringComparer.Ordinal));

            expected.Trailers.Add(commit.Trailers);
            expected.ShortStats = commit.ShortStats;
            expected.ReferencedBy.Add(commit.ReferencedBy);
            Assert.Equal(expected, commit);
        }

        Assert.Equal(["HEAD", "refs/heads/main", "refs/tags/v2.0"], commits[0].ReferencedBy.Select(r => r.ToStringUtf8()));
        Assert.Equal((2, 2, 3), (commits[0].ShortStats.Additions, commits[0].ShortStats.Deletions, commits[0].ShortStats.ChangedFiles));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindCommits_Unresolvable_NotFoundWithDetail(string format)
    {
        var empty = await server.CreateRepoAsync(format);
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync();
        var missing = new string('1', repo.HexLength);
        var missing2 = new string('2', repo.HexLength);

        var unborn = await ErrorAsync(empty, null);
        var unknown = await ErrorAsync(repo, "non-existent");
        var badObject = await ErrorAsync(repo, missing);
        var badRange = await ErrorAsync(repo, missing + ".." + missing2);
        var badRevision = await ErrorAsync(repo, "^non-existent");

        Assert.Equal(FindCommitsError.ErrorOneofCase.AmbiguousRef, unborn.ErrorCase);
        Assert.Equal("", unborn.AmbiguousRef.Reference.ToStringUtf8());
        Assert.Equal("non-existent", unknown.AmbiguousRef.Reference.ToStringUtf8());
        Assert.Equal(missing, badObject.BadObject.BadOid.ToStringUtf8());
        Assert.Equal(missing + ".." + missing2, badRange.InvalidRange.Range.ToStringUtf8());
        Assert.Equal("^non-existent", badRevision.AmbiguousRef.Reference.ToStringUtf8());
    }

    [Fact]
    public async Task FindCommits_EmptyPathOrInvalidRevision_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var path = await Assert.ThrowsAsync<RpcException>(() => FindAsync(new FindCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Paths = { ByteString.Empty },
            Limit = 1,
        }));
        var revision = await Assert.ThrowsAsync<RpcException>(() => FindAsync(new FindCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("--output=/meow"),
            Limit = 1,
        }));
        var repository = await Assert.ThrowsAsync<RpcException>(() => FindAsync(new FindCommitsRequest { Limit = 1 }));

        Assert.Equal((StatusCode.InvalidArgument, "path is empty string"), (path.StatusCode, path.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "revision can't start with '-'"), (revision.StatusCode, revision.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, repository.StatusCode);
    }

    [Fact]
    public async Task FindCommits_ManyCommits_ChunkedAndOrdered()
    {
        var repo = await server.CreateRepoAsync();
        await CommitTestData.FastImportAsync(repo, 900, bodyBytes: 3000);

        using var call = server.Commit.FindCommits(new FindCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("main"),
            Limit = 2000,
        });
        var responses = new List<FindCommitsResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        Assert.True(responses.Count > 1);
        Assert.Equal(await repo.GitLinesAsync("log", "--format=%H", "main"), responses.SelectMany(r => r.Commits).Select(c => c.Id));
    }

    private async Task<FindCommitsError> ErrorAsync(TestRepo repo, string? revision)
    {
        var request = new FindCommitsRequest { Repository = ServerFixture.Proto(repo), Limit = 10 };
        if (revision is not null)
        {
            request.Revision = ByteString.CopyFromUtf8(revision);
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => FindAsync(request));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("commits not found", e.Status.Detail);
        var status = e.GetRpcStatus();
        Assert.NotNull(status);
        return Assert.Single(status.Details).Unpack<FindCommitsError>();
    }

    private async Task<List<GitCommit>> FindAsync(FindCommitsRequest request)
    {
        using var call = server.Commit.FindCommits(request);
        var commits = new List<GitCommit>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            commits.AddRange(response.Commits);
        }

        return commits;
    }

    [GeneratedRegex(@"\s(\d+)\sfiles? changed(,\s(\d+)\sinsertions?\(\+\))?(,\s(\d+)\sdeletions?\(-\))?")]
    private static partial Regex ShortStat();
}
