using System.Text;
using Gitaly;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class ListCommitsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListCommits_MergeHistory_MatchesRevListAndCatFile(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, _) = await MergeHistoryAsync(repo);

        var commits = await ListAsync(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { merge } });

        var expectedIds = await repo.GitLinesAsync("rev-list", merge);
        Assert.Equal(expectedIds, commits.Select(c => c.Id));
        Assert.Equal(await CommitTestData.ExpectedAsync(repo, expectedIds), commits);
    }

    public static TheoryData<string, string[]> Options() => new()
    {
        { "order=topo", ["--topo-order"] },
        { "order=date", ["--date-order"] },
        { "reverse", ["--reverse"] },
        { "max_parents=1", ["--max-parents=1"] },
        { "disable_walk", ["--no-walk"] },
        { "first_parent", ["--first-parent"] },
        { "author=Other", ["--author=Other"] },
        { "patterns=left|base;ignore_case", ["--regexp-ignore-case", "--grep=LEFT", "--grep=BASE"] },
        { "skip=2", ["--skip=2"] },
        { "after+before", ["--after=@1700000150", "--before=@1700000270"] },
        { "paths=b.txt", ["--", "b.txt"] },
        { "not-all", [] },
        { "range", [] },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public async Task ListCommits_Option_MatchesRevList(string option, string[] gitFlags)
    {
        var repo = await server.CreateRepoAsync();
        var (merge, ids) = await MergeHistoryAsync(repo);
        var request = new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { merge } };
        List<string> revisions = [merge];
        switch (option)
        {
            case "order=topo": request.Order = ListCommitsRequest.Types.Order.Topo; break;
            case "order=date": request.Order = ListCommitsRequest.Types.Order.Date; break;
            case "reverse": request.Reverse = true; break;
            case "max_parents=1": request.MaxParents = 1; break;
            case "disable_walk": request.DisableWalk = true; break;
            case "first_parent": request.FirstParent = true; break;
            case "author=Other": request.Author = ByteString.CopyFromUtf8("Other"); break;
            case "patterns=left|base;ignore_case":
                request.IgnoreCase = true;
                request.CommitMessagePatterns.Add(ByteString.CopyFromUtf8("LEFT"));
                request.CommitMessagePatterns.Add(ByteString.CopyFromUtf8("BASE"));
                break;
            case "skip=2": request.Skip = 2; break;
            case "after+before":
                request.After = new Timestamp { Seconds = 1700000150 };
                request.Before = new Timestamp { Seconds = 1700000270 };
                break;
            case "paths=b.txt": request.Paths.Add(ByteString.CopyFromUtf8("b.txt")); break;
            case "not-all":
                // The branch of the merge is a ref, so "merge --not --all" lists nothing; the unreferenced side does.
                var loose = await repo.CommitAsync(branch: "", message: "dangling", parents: [merge]);
                request.Revisions.Clear();
                request.Revisions.Add([loose, "--not", "--all"]);
                revisions = [loose, "--not", "--all"];
                break;
            case "range":
                request.Revisions.Clear();
                request.Revisions.Add(["^" + ids[0], merge]);
                revisions = ["^" + ids[0], merge];
                break;
        }

        var commits = await ListAsync(request);

        var paths = gitFlags.SkipWhile(f => f != "--").ToArray();
        var flags = gitFlags.TakeWhile(f => f != "--");
        var expected = await repo.GitLinesAsync(["rev-list", .. flags, .. revisions, .. paths]);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, commits.Select(c => c.Id));
    }

    [Fact]
    public async Task ListCommits_PageLimitAndToken_PagesAcrossBoundariesLikeRevList()
    {
        var repo = await server.CreateRepoAsync();
        var ids = await CommitTestData.FastImportAsync(repo, 7);
        var all = await repo.GitLinesAsync("rev-list", "main");

        var pages = new List<List<string>>();
        var cursors = new List<string?>();
        string token = "";
        while (true)
        {
            var responses = await ResponsesAsync(new ListCommitsRequest
            {
                Repository = ServerFixture.Proto(repo),
                Revisions = { "main" },
                PaginationParams = new PaginationParameter { Limit = 3, PageToken = token },
            });
            var page = responses.SelectMany(r => r.Commits).Select(c => c.Id).ToList();
            pages.Add(page);
            cursors.Add(responses.LastOrDefault()?.PaginationCursor?.NextCursor);
            if (page.Count < 3 || cursors[^1] is null)
            {
                break;
            }

            token = page[^1];
        }

        Assert.Equal(7, ids.Length);
        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(all, pages.SelectMany(p => p));
        Assert.Equal([all[2], all[5], null], cursors);
    }

    [Fact]
    public async Task ListCommits_ThousandCommits_ChunkedUnderOneMebibyte()
    {
        var repo = await server.CreateRepoAsync();
        await CommitTestData.FastImportAsync(repo, 1200, bodyBytes: 2000);

        var responses = await ResponsesAsync(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { "main" } });

        Assert.True(responses.Count > 1, responses.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Gitaly's chunker adds items while their sizes sum to less than 1 MiB (field framing comes on top).
        Assert.True(responses.All(r => r.Commits.Sum(c => c.CalculateSize()) < 1024 * 1024), "a message holds 1 MiB of commits or more");
        Assert.True(responses.SkipLast(1).All(r => r.Commits.Sum(c => c.CalculateSize()) > 1000 * 1024), "a message was sent before it was full");
        Assert.Equal(await repo.GitLinesAsync("rev-list", "main"), responses.SelectMany(r => r.Commits).Select(c => c.Id));
    }

    [Fact]
    public async Task ListCommits_BodyOverTenKiB_TruncatedWithFullSize()
    {
        var repo = await server.CreateRepoAsync();
        var message = "big subject\r\n\n" + new string('x', 20 * 1024) + "\n";
        var id = await repo.CommitAsync(message: message);

        var commit = Assert.Single(await ListAsync(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { id } }));

        Assert.Equal(10 * 1024, commit.Body.Length);
        Assert.Equal(Encoding.UTF8.GetByteCount(message), commit.BodySize);
        Assert.Equal("big subject", commit.Subject.ToStringUtf8());
        Assert.Equal(await CommitTestData.ExpectedAsync(repo, id), commit);
    }

    [Fact]
    public async Task ListCommits_NonUtf8AuthorAndPath_RawBytesAndPathFilter()
    {
        var repo = await server.CreateRepoAsync();
        var latin1Path = new byte[] { (byte)'f', 0xe9, (byte)'.', (byte)'t', (byte)'x', (byte)'t' };
        var first = await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "a" });
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object>
        {
            ["a"] = "a",
            ["latin1"] = new TreeFile(Encoding.ASCII.GetBytes("x\n"), RawPath: latin1Path),
        });
        var raw = new List<byte>();
        raw.AddRange(Encoding.ASCII.GetBytes($"tree {tree}\nparent {first}\nauthor Jos"));
        raw.Add(0xe9);
        raw.AddRange(Encoding.ASCII.GetBytes(" <jose@example.com> 1700001000 -0330\ncommitter C <c@example.com> 1700001000 -0330\nencoding ISO-8859-1\n\nlatin1 "));
        raw.Add(0xe9);
        raw.Add((byte)'\n');
        var second = await CommitTestData.WriteRawCommitAsync(repo, [.. raw]);
        await repo.GitAsync("update-ref", "refs/heads/main", second);

        var all = await ListAsync(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { "main" } });
        var byPath = await ListAsync(new ListCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revisions = { "main" },
            Paths = { ByteString.CopyFrom(latin1Path) },
        });

        Assert.Equal(await CommitTestData.ExpectedAsync(repo, [second, first]), all);
        Assert.Equal(new byte[] { (byte)'J', (byte)'o', (byte)'s', 0xe9 }, all[0].Author.Name.ToByteArray());
        Assert.Equal("ISO-8859-1", all[0].Encoding);
        Assert.Equal("-0330", all[0].Author.Timezone.ToStringUtf8());
        var expected = await CommitTestData.GitRawLinesAsync(repo, ["rev-list", "--stdin", "main"], [.. "--\n"u8, .. latin1Path, (byte)'\n']);
        Assert.Equal([second], expected.Select(e => Encoding.ASCII.GetString(e)));
        Assert.Equal([second], byPath.Select(c => c.Id));
    }

    [Fact]
    public async Task ListCommits_EmptyRepositoryWithAll_NoCommits()
    {
        var repo = await server.CreateRepoAsync();

        var responses = await ResponsesAsync(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { "--all" } });

        Assert.Empty(responses);
    }

    [Fact]
    public async Task ListCommits_UnknownRevision_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => ListAsync(new ListCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revisions = { "does-not-exist" },
        }));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("iterating objects: rev-list pipeline command: exit status 128", e.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, StatusCode.InvalidArgument, "missing revisions")]
    [InlineData("-invalid", StatusCode.InvalidArgument, "invalid revision: revision can't start with '-'")]
    [InlineData("a b", StatusCode.InvalidArgument, "invalid revision: revision can't contain whitespace")]
    [InlineData("main:path", StatusCode.InvalidArgument, "invalid revision: revision can't contain ':'")]
    public async Task ListCommits_BadRequest_InvalidArgument(string? revision, StatusCode code, string message)
    {
        var repo = await server.CreateRepoAsync();
        var request = new ListCommitsRequest { Repository = ServerFixture.Proto(repo) };
        if (revision is not null)
        {
            request.Revisions.Add(["main", revision]);
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => ListAsync(request));

        Assert.Equal(code, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task ListCommits_MissingRepository_NotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ListAsync(new ListCommitsRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
            Revisions = { "main" },
        }));
        var unset = await Assert.ThrowsAsync<RpcException>(() => ListAsync(new ListCommitsRequest { Revisions = { "main" } }));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, unset.StatusCode);
    }

    [Fact]
    public async Task ListCommits_SameSession_ReaderStaysCleanAfterEarlyStop()
    {
        var repo = await server.CreateRepoAsync();
        await CommitTestData.FastImportAsync(repo, 600);
        var headers = new Metadata { { "gitaly-session-id", Guid.NewGuid().ToString() } };

        var first = await ListAsync(new ListCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revisions = { "main" },
            PaginationParams = new PaginationParameter { Limit = 5 },
        }, headers);
        var before = await server.ScrapeMetricsAsync();
        var second = await ListAsync(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { "main" } }, headers);
        var after = await server.ScrapeMetricsAsync();

        Assert.Equal(5, first.Count);
        Assert.Equal(600, second.Count);
        Assert.Equal(Metric(before, "gitaly_catfile_cache_total{type=\"hit\"}") + 1, Metric(after, "gitaly_catfile_cache_total{type=\"hit\"}"));
    }

    [Fact]
    public async Task ListCommits_ClientCancelsMidStream_ChildrenReaped()
    {
        var repo = await server.CreateRepoAsync();
        await CommitTestData.FastImportAsync(repo, 3000, bodyBytes: 1000);
        var before = server.RunningProcesses; // idle cat-file processes other tests left in the session cache

        using (var cts = new CancellationTokenSource())
        {
            using var call = server.Commit.ListCommits(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { "main" } },
                cancellationToken: cts.Token);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<RpcException>(async () =>
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            });
        }

        for (var i = 0; i < 100 && server.RunningProcesses > before; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(server.RunningProcesses <= before, $"{server.RunningProcesses} git processes running, {before} before the call");
        Assert.Equal(3000, (await ListAsync(new ListCommitsRequest { Repository = ServerFixture.Proto(repo), Revisions = { "main" } })).Count);
    }

    /// <summary>base ← left, base ← right (other author), merge(left, right) on main; returns the merge and [base, left, right].</summary>
    internal static async Task<(string Merge, string[] Ids)> MergeHistoryAsync(TestRepo repo)
    {
        var date = DateTimeOffset.FromUnixTimeSeconds(1700000100);
        var @base = await repo.CommitAsync(message: "base\n", files: new Dictionary<string, object> { ["a.txt"] = "a\n" }, date: date);
        var left = await repo.CommitAsync(message: "left\n\nbody\n", date: date.AddSeconds(100),
            files: new Dictionary<string, object> { ["a.txt"] = "a\n", ["b.txt"] = "b\n" });
        var right = await repo.CommitAsync(branch: "side", message: "right\n", parents: [@base], author: "Other Person <other@example.com>",
            files: new Dictionary<string, object> { ["a.txt"] = "a2\n" }, date: date.AddSeconds(200));
        var merge = await repo.CommitAsync(message: "merge\n", parents: [left, right], date: date.AddSeconds(300),
            files: new Dictionary<string, object> { ["a.txt"] = "a2\n", ["b.txt"] = "b\n" });
        return (merge, [@base, left, right]);
    }

    private async Task<List<GitCommit>> ListAsync(ListCommitsRequest request, Metadata? headers = null) =>
        (await ResponsesAsync(request, headers)).SelectMany(r => r.Commits).ToList();

    private async Task<List<ListCommitsResponse>> ResponsesAsync(ListCommitsRequest request, Metadata? headers = null)
    {
        using var call = server.Commit.ListCommits(request, headers);
        var responses = new List<ListCommitsResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        return responses;
    }

    private static double Metric(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
