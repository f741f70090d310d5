using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class RawBlameTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task RawBlame_TwoCommits_MatchesGitBlamePorcelain(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["path"] = "a\n1\n2\n" }, author: "Ann <ann@example.com>");
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { ["path"] = "b\n1\n2\n" }, author: "Bob <bob@example.com>");

        var data = await CallAsync(Request(repo, head, "path"));

        Assert.Equal(await GitBlameAsync(repo, head, "path"), data);
        Assert.StartsWith(head + " 1 1 1\n", Encoding.UTF8.GetString(data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawBlame_Range_MatchesGitBlameWithL()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["path"] = "a\n1\n1\n1\n1\n1\na\n" });
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { ["path"] = "b\n1\n1\n1\n1\n1\nb\n" });
        var request = Request(repo, head, "path");
        request.Range = ByteString.CopyFromUtf8("6,7");

        var data = await CallAsync(request);

        Assert.Equal(await GitBlameAsync(repo, head, "path", "-L", "6,7"), data);
    }

    [Fact]
    public async Task RawBlame_LargeFile_StreamedInSeveralMessages()
    {
        var repo = await server.CreateRepoAsync();
        var content = string.Concat(Enumerable.Range(0, 4000).Select(i => $"line {i}\n"));
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { ["big.txt"] = content });

        using var call = server.Commit.RawBlame(Request(repo, head, "big.txt"));
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.True(responses.Count > 1);
        Assert.All(responses, r => Assert.True(r.Data.Length <= 128 * 1024));
        Assert.Equal(await GitBlameAsync(repo, head, "big.txt"), responses.SelectMany(r => r.Data.ToByteArray()).ToArray());
    }

    [Fact]
    public async Task RawBlame_EmptyFileAndRelativePath_AsGit()
    {
        var repo = await server.CreateRepoAsync();
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { ["empty"] = "", ["path"] = "x\n" });

        Assert.Empty(await CallAsync(Request(repo, head, "empty")));
        Assert.Equal(await GitBlameAsync(repo, head, "path"), await CallAsync(Request(repo, head, "foo/../path")));
    }

    [Fact]
    public async Task RawBlame_IgnoreRevisionsBlob_SkipsListedCommits()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["path"] = "a\nkeep\n" });
        var reformat = await repo.CommitAsync(files: new Dictionary<string, object> { ["path"] = "A\nkeep\n" });
        var ignoreList = await repo.WriteBlobAsync(reformat + "\n");
        var request = Request(repo, "main", "path");
        request.IgnoreRevisionsBlob = ByteString.CopyFromUtf8(ignoreList);

        var data = await CallAsync(request);

        var file = Path.Combine(Path.GetTempPath(), "lode-ignore-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, reformat + "\n");
        try
        {
            Assert.Equal(await GitBlameAsync(repo, "main", "path", "--ignore-revs-file", file), data);
            Assert.DoesNotContain(reformat, Encoding.UTF8.GetString(data), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }

        // The temporary file is gone.
        Assert.Empty(Directory.GetFiles(Path.Combine(server.StoragePath, "+gitaly", "tmp"), "ignore-revs-file-*"));
    }

    [Fact]
    public async Task RawBlame_OutOfRange_InvalidArgumentWithActualLines()
    {
        var repo = await server.CreateRepoAsync();
        var head = await repo.CommitAsync(files: new Dictionary<string, object> { ["path"] = string.Concat(Enumerable.Repeat("a\n", 10)) });
        var request = Request(repo, head, "path");
        request.Range = ByteString.CopyFromUtf8("11,11");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("range is outside of the file length", e.Status.Detail);
        Assert.Equal(10UL, Detail(e).OutOfRange.ActualLines);
    }

    [Fact]
    public async Task RawBlame_MissingPath_NotFoundWithPathNotFound()
    {
        var repo = await server.CreateRepoAsync();
        var head = await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, head, "does-not-exist")));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("path not found in revision", e.Status.Detail);
        Assert.Equal("does-not-exist", Detail(e).PathNotFound.Path.ToStringUtf8());
    }

    [Fact]
    public async Task RawBlame_IgnoreRevisionsBlobMissing_NotFoundWithResolveIgnoreRevs()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var request = Request(repo, "main", "README.md");
        request.IgnoreRevisionsBlob = ByteString.CopyFromUtf8("main:.git-blame-ignore-revs");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("cannot resolve ignore-revs blob", e.Status.Detail);
        Assert.Equal("main:.git-blame-ignore-revs", Detail(e).ResolveIgnoreRevs.IgnoreRevisionsBlob.ToStringUtf8());
    }

    [Fact]
    public async Task RawBlame_IgnoreRevisionsNotBlob_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var request = Request(repo, "main", "README.md");
        request.IgnoreRevisionsBlob = ByteString.CopyFromUtf8("main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("ignore revision is not a blob", e.Status.Detail);
        Assert.Equal("main", Detail(e).ResolveIgnoreRevs.IgnoreRevisionsBlob.ToStringUtf8());
    }

    [Fact]
    public async Task RawBlame_IgnoreRevisionsInvalidLine_NotFoundWithInvalidFormat()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var request = Request(repo, "main", "README.md");
        request.IgnoreRevisionsBlob = ByteString.CopyFromUtf8(await repo.WriteBlobAsync("not-a-rev\n"));

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("invalid object name", e.Status.Detail);
        Assert.Equal("not-a-rev\n", Detail(e).InvalidIgnoreRevsFormat.Content.ToStringUtf8());
    }

    [Theory]
    [InlineData("", "path", "", "empty revision")]
    [InlineData("--output=/meow", "path", "", "revision can't start with '-'")]
    [InlineData("main", "", "", "empty Path")]
    [InlineData("main", "a/b/c", "foo", "invalid Range")]
    [InlineData("main", "a/b/c", "1,2,3", "invalid Range")]
    [InlineData("main", "im/gonna/../../../escape", "", "path escapes repository root")]
    [InlineData("main", "/etc/passwd", "", "path escapes repository root")]
    public async Task RawBlame_InvalidRequest_InvalidArgument(string revision, string path, string range, string message)
    {
        var repo = await server.CreateRepoAsync();
        var request = Request(repo, revision, path);
        request.Range = ByteString.CopyFromUtf8(range);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    private static RawBlameRequest Request(TestRepo repo, string revision, string path) => new()
    {
        Repository = ServerFixture.Proto(repo),
        Revision = ByteString.CopyFromUtf8(revision),
        Path = ByteString.CopyFromUtf8(path),
    };

    private async Task<byte[]> CallAsync(RawBlameRequest request)
    {
        using var call = server.Commit.RawBlame(request);
        var data = new List<byte>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            data.AddRange(response.Data);
        }

        return [.. data];
    }

    private static Task<byte[]> GitBlameAsync(TestRepo repo, string revision, string path, params string[] flags) =>
        repo.GitBytesAsync(["blame", "--porcelain", .. flags, revision, "--", path]);

    private static RawBlameError Detail(RpcException e) =>
        (e.GetRpcStatus() ?? throw new InvalidOperationException("no status details")).Details[0].Unpack<RawBlameError>();
}
