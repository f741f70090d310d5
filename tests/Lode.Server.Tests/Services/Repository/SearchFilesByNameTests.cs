using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class SearchFilesByNameTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task SearchFilesByName_Directory_PathsUnderIt(string format)
    {
        var repo = await CreateAsync(format);

        Assert.Equal(["dir/c.svg", "dir/d.txt"], await CallAsync(repo, "branch", "dir"));
        Assert.Equal(["dir/c.svg"], await CallAsync(repo, "branch", "dir/c.svg"));
    }

    [Fact]
    public async Task SearchFilesByName_DotQuery_WholeTreeLikeLsTree()
    {
        var repo = await CreateAsync();

        var files = await CallAsync(repo, "branch", ".");

        Assert.Equal(await repo.GitLinesAsync("ls-tree", "-r", "--name-only", "branch"), files);
    }

    [Fact]
    public async Task SearchFilesByName_Filter_OnlyMatchingPaths()
    {
        var repo = await CreateAsync();

        Assert.Equal(["dir/c.svg"], await CallAsync(repo, "branch", "dir", filter: @"\.svg$"));
        Assert.Equal(["a", "b"], await CallAsync(repo, "branch", ".", filter: "^[ab]$"));
    }

    [Theory]
    [InlineData(3u, 0u, new[] { "file1.md", "file2.md", "file3.md" })]
    [InlineData(0u, 2u, new[] { "file3.md", "file4.md", "file5.md", "new_file1.md", "new_file2.md", "new_file3.md" })]
    [InlineData(2u, 2u, new[] { "file3.md", "file4.md" })]
    [InlineData(0u, 8u, new string[0])]
    [InlineData(5u, 6u, new[] { "new_file2.md", "new_file3.md" })]
    public async Task SearchFilesByName_LimitAndOffset_PageThroughPaths(uint limit, uint offset, string[] expected)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new[] { "file1.md", "file2.md", "file3.md", "file4.md", "file5.md", "new_file1.md", "new_file2.md", "new_file3.md" }
            .ToDictionary(f => f, f => (object)f));

        Assert.Equal(expected, await CallAsync(repo, "main", ".", limit: limit, offset: offset));
    }

    [Fact]
    public async Task SearchFilesByName_LimitOffsetWithFilter_CountsOnlyMatches()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new[] { "file1.md", "new_file1.md", "new_file2.md", "new_file3.md" }.ToDictionary(f => f, f => (object)f));

        Assert.Equal(["new_file2.md", "new_file3.md"], await CallAsync(repo, "main", ".", filter: "new.*", limit: 2, offset: 1));
    }

    [Fact]
    public async Task SearchFilesByName_UnusualNames_ReturnedUnquoted()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            ["\"file with quote.txt"] = "x",
            [".vimrc"] = "x",
            ["cuộc đời là những chuyến đi.md"] = "x",
            ["编码 'foo'.md"] = "x",
            ["-dashed"] = "x",
        });

        Assert.Equal(["\"file with quote.txt"], await CallAsync(repo, "main", "\"file with quote.txt"));
        Assert.Equal(["-dashed"], await CallAsync(repo, "main", "-dashed"));
        Assert.Equal(["编码 'foo'.md"], await CallAsync(repo, "main", ".", filter: "编码 'foo'\\.(md|txt|rdoc)"));
        Assert.Equal(["cuộc đời là những chuyến đi.md"], await CallAsync(repo, "main", ".", filter: "cuộc đời .*\\.md"));
    }

    [Fact]
    public async Task SearchFilesByName_NonUtf8PathAndRef_BytesKept()
    {
        var repo = await server.CreateRepoAsync();
        byte[] path = [.. "caf"u8, 0xe9, .. ".txt"u8];
        var commit = await repo.CommitAsync(branch: "", files: new Dictionary<string, object> { ["x"] = new TreeFile("x"u8.ToArray(), RawPath: path) });
        byte[] branch = [.. "refs/heads/br"u8, 0xe9];
        await repo.GitBytesAsync(["update-ref", "-z", "--stdin"], [.. "update "u8, .. branch, 0, .. System.Text.Encoding.ASCII.GetBytes(commit), 0, 0]);

        using var call = server.Repository.SearchFilesByName(new SearchFilesByNameRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFrom(branch),
            Query = ".",
        });
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal(path, Assert.Single(Assert.Single(responses).Files).ToByteArray());
    }

    [Fact]
    public async Task SearchFilesByName_UnknownRef_OneEmptyMessage()
    {
        var repo = await CreateAsync();

        using var call = server.Repository.SearchFilesByName(new SearchFilesByNameRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFromUtf8("non_existent_ref"),
            Query = ".",
        });
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Empty(Assert.Single(responses).Files);
    }

    [Theory]
    [InlineData("", "branch", "", "no query given")]
    [InlineData("foo", "", "", "no ref given")]
    [InlineData(".", "--no-index", "", "invalid ref argument")]
    public async Task SearchFilesByName_InvalidRequest_InvalidArgument(string query, string reference, string filter, string message)
    {
        var repo = await CreateAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, reference, query, filter));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task SearchFilesByName_FilterDoesNotCompile_InvalidArgument()
    {
        var repo = await CreateAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "branch", "foo", filter: "+*."));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("filter did not compile: ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchFilesByName_FilterTooLong_InvalidArgument()
    {
        var repo = await CreateAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "branch", "foo", filter: new string('.', 1001)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("filter exceeds maximum length", e.Status.Detail);
    }

    [Fact]
    public async Task SearchFilesByName_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.SearchFilesByName(new SearchFilesByNameRequest { Query = "foo", Ref = ByteString.CopyFromUtf8("branch") });

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<TestRepo> CreateAsync(string format = "sha1")
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(branch: "branch", files: new Dictionary<string, object>
        {
            ["a"] = "a",
            ["b"] = "b",
            ["dir/c.svg"] = "c",
            ["dir/d.txt"] = "d",
        });
        return repo;
    }

    private async Task<List<string>> CallAsync(TestRepo repo, string reference, string query, string filter = "", uint limit = 0, uint offset = 0)
    {
        using var call = server.Repository.SearchFilesByName(new SearchFilesByNameRequest
        {
            Repository = ServerFixture.Proto(repo),
            Ref = ByteString.CopyFromUtf8(reference),
            Query = query,
            Filter = filter,
            Limit = limit,
            Offset = offset,
        });
        var files = new List<string>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            files.AddRange(response.Files.Select(f => f.ToStringUtf8()));
        }

        return files;
    }
}
