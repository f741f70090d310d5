using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class SearchFilesByContentTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task SearchFilesByContent_SingleMatch_LinesWithContext(string format)
    {
        var repo = await CreateAsync(format);

        var (matches, _) = await CallAsync(repo, "branch", "a-6");

        Assert.Equal([Match("branch", "a", 4, 6, i => $"a-{i}")], matches);
    }

    [Fact]
    public async Task SearchFilesByContent_SeveralFiles_OneMatchEach()
    {
        var repo = await CreateAsync();

        var (matches, _) = await CallAsync(repo, "branch", "6");

        Assert.Equal(
            [
                Match("branch", "a", 4, 6, i => $"a-{i}"),
                Match("branch", "b", 4, 6, i => $"b-{i}"),
                Match("branch", "dir/c", 4, 6, i => $"c-{i}"),
            ],
            matches);
    }

    [Fact]
    public async Task SearchFilesByContent_CaseInsensitivePerlRegex_ContextsMerge()
    {
        var repo = await CreateAsync();

        var (matches, _) = await CallAsync(repo, "branch", "[AC]-[16]");

        Assert.Equal([Match("branch", "a", 1, 6, i => $"a-{i}"), Match("branch", "dir/c", 1, 6, i => $"c-{i}")], matches);
    }

    [Fact]
    public async Task SearchFilesByContent_SeparatedHits_SeparateMatches()
    {
        var repo = await server.CreateRepoAsync();
        var lines = string.Concat(Enumerable.Range(1, 20).Select(i => i is 3 or 15 ? $"needle {i}\n" : $"hay {i}\n"));
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["f"] = lines });

        var (matches, _) = await CallAsync(repo, "main", "needle");

        Assert.Equal(2, matches.Count);
        Assert.Equal(await ExpectedAsync(repo, "main", "needle"), matches);
    }

    [Fact]
    public async Task SearchFilesByContent_NoResults_EmptyStream()
    {
        var repo = await CreateAsync();

        var (matches, messages) = await CallAsync(repo, "branch", "这个应该没有结果");

        Assert.Empty(matches);
        Assert.Equal(0, messages);
    }

    [Fact]
    public async Task SearchFilesByContent_UnknownRef_EmptyStream()
    {
        var repo = await CreateAsync();

        var (matches, _) = await CallAsync(repo, "nope", "a");

        Assert.Empty(matches);
    }

    [Fact]
    public async Task SearchFilesByContent_BinaryFile_Skipped()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            ["bin"] = new TreeFile([.. "needle"u8, 0, 1, 2]),
            ["text"] = "needle\n",
        });

        var (matches, _) = await CallAsync(repo, "main", "needle");

        Assert.Equal([Match("main", "text", 1, 1, _ => "needle")], matches);
    }

    [Fact]
    public async Task SearchFilesByContent_LargeMatch_ChunkedAt128KiBThenEndOfMatch()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            ["huge-file"] = string.Concat(Enumerable.Repeat("abcdefghi\n", 50_000)),
        });

        using var call = server.Repository.SearchFilesByContent(new SearchFilesByContentRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFromUtf8(commit),
            Query = "abcdefg",
        });
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.True(responses[^1].EndOfMatch);
        Assert.True(responses[^1].MatchData.IsEmpty);
        Assert.All(responses[..^2], r => Assert.Equal(128 * 1024, r.MatchData.Length));
        Assert.Equal(Match(commit, "huge-file", 1, 50_000, _ => "abcdefghi"),
            Encoding.UTF8.GetString(responses.SelectMany(r => r.MatchData.ToByteArray()).ToArray()));
    }

    [Fact]
    public async Task SearchFilesByContent_QueryWithLeadingDash_Searched()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["-dashed"] = "-dashed\n" });

        var (matches, _) = await CallAsync(repo, commit, "-dashed");

        Assert.Equal([Match(commit, "-dashed", 1, 1, _ => "-dashed")], matches);
    }

    [Fact]
    public async Task SearchFilesByContent_NonUtf8Ref_LinesNameTheRef()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "", files: new Dictionary<string, object> { ["f"] = "needle\n" });
        byte[] branch = [.. "br"u8, 0xe9];
        await repo.GitBytesAsync(["update-ref", "-z", "--stdin"],
            [.. "update refs/heads/"u8, .. branch, 0, .. Encoding.ASCII.GetBytes(commit), 0, 0]);

        using var call = server.Repository.SearchFilesByContent(new SearchFilesByContentRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFrom(branch),
            Query = "needle",
        });
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal([.. branch, .. ":f\u00001\u0000needle\n"u8], responses.SelectMany(r => r.MatchData.ToByteArray()).ToArray());
    }

    [Theory]
    [InlineData("", "branch", "no query given")]
    [InlineData("foo", "", "no ref given")]
    [InlineData(".", "--no-index", "invalid ref argument")]
    public async Task SearchFilesByContent_InvalidRequest_InvalidArgument(string query, string reference, string message)
    {
        var repo = await CreateAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, reference, query));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task SearchFilesByContent_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.SearchFilesByContent(new SearchFilesByContentRequest { Query = "a", Ref = ByteString.CopyFromUtf8("main") });

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<TestRepo> CreateAsync(string format = "sha1")
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(branch: "branch", files: new Dictionary<string, object>
        {
            ["a"] = "a-1\na-2\na-3\na-4\na-5\na-6\n",
            ["b"] = "b-1\nb-2\nb-3\nb-4\nb-5\nb-6\n",
            ["dir/c"] = "c-1\nc-2\nc-3\nc-4\nc-5\nc-6\n",
        });
        return repo;
    }

    private static string Match(string reference, string file, int from, int to, Func<int, string> line) =>
        string.Concat(Enumerable.Range(from, to - from + 1).Select(i => $"{reference}:{file}\0{i}\0{line(i)}\n"));

    /// <summary>git grep's own blocks for the same search, split at its "--" separators.</summary>
    private static async Task<List<string>> ExpectedAsync(TestRepo repo, string reference, string query)
    {
        var output = await GitCli.RunAsync(repo.Path, "grep", "--ignore-case", "-I", "--line-number", "--null",
            "--before-context=2", "--after-context=2", "--perl-regexp", "-e", query, reference);
        return (output + "\n").Split("--\n").ToList();
    }

    private async Task<(List<string> Matches, int Messages)> CallAsync(TestRepo repo, string reference, string query)
    {
        using var call = server.Repository.SearchFilesByContent(new SearchFilesByContentRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFromUtf8(reference),
            Query = query,
        });
        var matches = new List<string>();
        var current = new List<byte>();
        var messages = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            messages++;
            current.AddRange(response.MatchData);
            if (response.EndOfMatch)
            {
                matches.Add(Encoding.UTF8.GetString([.. current]));
                current.Clear();
            }
        }

        Assert.Empty(current);
        return (matches, messages);
    }
}
