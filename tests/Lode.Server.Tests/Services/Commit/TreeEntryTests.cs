using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class TreeEntryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>One session for all calls of a test, so that a reader a failed call left dirty would be noticed.</summary>
    private readonly Metadata session = new() { { "gitaly-session-id", Guid.NewGuid().ToString() } };

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task TreeEntry_Blob_MatchesCatFile(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["dir/file.txt"] = "hello\nworld\n", ["README"] = "x" });

        var responses = await CallAsync(Request(repo, "main", "dir/file.txt"));

        var oid = await repo.RevParseAsync("main:dir/file.txt");
        var first = responses[0];
        Assert.Equal(TreeEntryResponse.Types.ObjectType.Blob, first.Type);
        Assert.Equal(oid, first.Oid);
        Assert.Equal(12, first.Size);
        Assert.Equal(Convert.ToInt32("100644", 8), first.Mode);
        Assert.Equal("hello\nworld\n", Concat(responses));
    }

    [Fact]
    public async Task TreeEntry_BlobBiggerThanOneChunk_StreamsAllDataMetadataOnFirstMessageOnly()
    {
        var repo = await server.CreateRepoAsync();
        var content = new byte[300 * 1024 + 17];
        new Random(42).NextBytes(content);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = content });

        var responses = await CallAsync(Request(repo, "main", "big.bin"));

        Assert.Equal(3, responses.Count);
        Assert.Equal(content.Length, responses[0].Size);
        Assert.All(responses.Skip(1), r => Assert.True(r.Oid.Length == 0 && r.Size == 0 && r.Mode == 0));
        Assert.Equal(content, responses.SelectMany(r => r.Data.ToByteArray()).ToArray());
        Assert.Equal(128 * 1024, responses[0].Data.Length);
    }

    [Fact]
    public async Task TreeEntry_Limit_TruncatesDataButReportsFullSize()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["f"] = "0123456789" });
        var request = Request(repo, "main", "f");
        request.Limit = 4;

        var responses = await CallAsync(request);

        Assert.Equal("0123", Concat(responses));
        Assert.Equal(10, responses[0].Size);

        // The cat-file reader stays usable for the next call of the same session.
        Assert.Equal("0123456789", Concat(await CallAsync(Request(repo, "main", "f"))));
    }

    [Fact]
    public async Task TreeEntry_MaxSizeExceeded_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["f"] = "0123456789" });
        var request = Request(repo, "main", "f");
        request.MaxSize = 9;

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("object size (10) is bigger than the maximum allowed size (9)", e.Status.Detail);
    }

    [Fact]
    public async Task TreeEntry_EmptyBlob_OneMessageWithoutData()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["empty"] = "" });

        var responses = await CallAsync(Request(repo, "main", "empty"));

        Assert.Single(responses);
        Assert.Equal(0, responses[0].Size);
        Assert.True(responses[0].Data.IsEmpty);
    }

    [Theory]
    [InlineData("dir")]
    [InlineData("dir/")]
    [InlineData("dir///")]
    public async Task TreeEntry_Tree_ReturnsTreeSizeWithoutData(string path)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["dir/a"] = "a", ["dir/b"] = "b" });

        var response = Assert.Single(await CallAsync(Request(repo, "main", path)));

        Assert.Equal(TreeEntryResponse.Types.ObjectType.Tree, response.Type);
        Assert.Equal(await repo.RevParseAsync("main:dir"), response.Oid);
        Assert.Equal(long.Parse(await repo.GitAsync("cat-file", "-s", response.Oid), System.Globalization.CultureInfo.InvariantCulture), response.Size);
        Assert.Equal(Convert.ToInt32("40000", 8), response.Mode);
        Assert.True(response.Data.IsEmpty);
    }

    [Fact]
    public async Task TreeEntry_SubmoduleAndSymlink_TypesAndModesAsInTree()
    {
        var repo = await server.CreateRepoAsync();
        var gitlink = new string('a', repo.HexLength);
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["sub"] = new TreeFile(Mode: "160000", Oid: gitlink),
            ["link"] = new TreeFile(Encoding.UTF8.GetBytes("target/file"), Mode: "120000"),
        });

        var submodule = Assert.Single(await CallAsync(Request(repo, "main", "sub")));
        var link = await CallAsync(Request(repo, "main", "link"));

        Assert.Equal(TreeEntryResponse.Types.ObjectType.Commit, submodule.Type);
        Assert.Equal(gitlink, submodule.Oid);
        Assert.Equal(Convert.ToInt32("160000", 8), submodule.Mode);
        Assert.Equal(0, submodule.Size);
        Assert.Equal(TreeEntryResponse.Types.ObjectType.Blob, link[0].Type);
        Assert.Equal(Convert.ToInt32("120000", 8), link[0].Mode);
        Assert.Equal("target/file", Concat(link));
    }

    [Fact]
    public async Task TreeEntry_NonUtf8Path_Found()
    {
        var repo = await server.CreateRepoAsync();
        byte[] name = [(byte)'d', (byte)'/', 0xFF, 0xFE, (byte)'.', (byte)'t'];
        await repo.CommitAsync(files: new Dictionary<string, object> { ["ignored"] = new TreeFile("latin"u8.ToArray(), RawPath: name) });

        var request = Request(repo, "main", "");
        request.Path = ByteString.CopyFrom(name);
        var responses = await CallAsync(request);

        Assert.Equal("latin", Concat(responses));
    }

    [Theory]
    [InlineData("main", "missing")]
    [InlineData("main", "./dir/file")]
    [InlineData("main", "dir//file")]
    [InlineData("main", "../dir/file")]
    [InlineData("main", "/dir/file")]
    [InlineData("main", ".")]
    [InlineData("main", "dir/file/x")]
    [InlineData("nope", "dir/file")]
    public async Task TreeEntry_PathOrRevisionNotFound_NotFound(string revision, string path)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["dir/file"] = "x" });

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, revision, path)));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("tree entry not found", e.Status.Detail);

        // A refused path must not have killed the session's reader.
        Assert.Equal("x", Concat(await CallAsync(Request(repo, "main", "dir/file"))));
    }

    [Fact]
    public async Task TreeEntry_EmptyRepository_NotFound()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, "HEAD", "README")));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Theory]
    [InlineData("", "f", 0, 0, "empty revision")]
    [InlineData("-main", "f", 0, 0, "revision can't start with '-'")]
    [InlineData("main", "", 0, 0, "empty Path")]
    [InlineData("main", "f", -1, 0, "negative Limit")]
    [InlineData("main", "f", 0, -1, "negative MaxSize")]
    public async Task TreeEntry_InvalidRequest_InvalidArgument(string revision, string path, long limit, long maxSize, string message)
    {
        var repo = await server.CreateRepoAsync();
        var request = Request(repo, revision, path);
        request.Limit = limit;
        request.MaxSize = maxSize;

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task TreeEntry_RepositoryNotSet_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(new TreeEntryRequest { Revision = ByteString.CopyFromUtf8("main"), Path = ByteString.CopyFromUtf8("f") }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static TreeEntryRequest Request(TestRepo repo, string revision, string path) => new()
    {
        Repository = ServerFixture.Proto(repo),
        Revision = ByteString.CopyFromUtf8(revision),
        Path = ByteString.CopyFromUtf8(path),
    };

    private async Task<List<TreeEntryResponse>> CallAsync(TreeEntryRequest request)
    {
        using var call = server.Commit.TreeEntry(request, session);
        var responses = new List<TreeEntryResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        return responses;
    }

    private static string Concat(List<TreeEntryResponse> responses) =>
        Encoding.UTF8.GetString(responses.SelectMany(r => r.Data.ToByteArray()).ToArray());
}
