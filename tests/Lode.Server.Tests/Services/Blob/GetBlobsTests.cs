using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;
using static Gitaly.GetBlobsRequest.Types;

namespace Lode.Server.Tests.Services.Blob;

public sealed class GetBlobsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly byte[] NonUtf8Name = [(byte)'n', 0xff, (byte)'.', (byte)'t', (byte)'x', (byte)'t'];

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetBlobs_EveryKindOfEntry_MatchesGit(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var submoduleCommit = new string('5', repo.HexLength);
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["README.md"] = "readme\n",
            ["dir/file.txt"] = "nested\n",
            ["run.sh"] = new TreeFile(Encoding.UTF8.GetBytes("#!/bin/sh\n"), Mode: "100755"),
            ["link"] = new TreeFile(Encoding.UTF8.GetBytes("README.md"), Mode: "120000"),
            ["sub"] = new TreeFile(Mode: "160000", Oid: submoduleCommit),
            ["raw"] = new TreeFile(Encoding.UTF8.GetBytes("raw name\n"), RawPath: NonUtf8Name),
        });

        var responses = await CallAsync(repo, -1, ("main", "README.md"), ("main", "dir/file.txt"), ("main", "run.sh"), ("main", "link"),
            ("main", "sub"), ("main", "dir"), ("main", NonUtf8Name));

        Assert.Equal(7, responses.Count);
        await AssertBlobAsync(repo, responses[0], "README.md", 0x81a4);
        await AssertBlobAsync(repo, responses[1], "dir/file.txt", 0x81a4);
        await AssertBlobAsync(repo, responses[2], "run.sh", 0x81ed);
        await AssertBlobAsync(repo, responses[3], "link", 0xa000);
        Assert.Equal("README.md", responses[3].Data.ToStringUtf8());

        var sub = responses[4];
        Assert.True(sub.IsSubmodule);
        Assert.Equal(ObjectType.Commit, sub.Type);
        Assert.Equal(submoduleCommit, sub.Oid);
        Assert.Equal(0xe000, sub.Mode);
        Assert.Equal(0, sub.Size);
        Assert.True(sub.Data.IsEmpty);

        var dir = responses[5];
        Assert.Equal(ObjectType.Tree, dir.Type);
        Assert.Equal(await repo.RevParseAsync("main:dir"), dir.Oid);
        Assert.Equal(0x4000, dir.Mode);
        Assert.Equal(long.Parse(await repo.GitAsync("cat-file", "-s", "main:dir"), System.Globalization.CultureInfo.InvariantCulture), dir.Size);
        Assert.False(dir.IsSubmodule);
        Assert.True(dir.Data.IsEmpty);

        var raw = responses[6];
        Assert.Equal(NonUtf8Name, raw.Path.ToByteArray());
        Assert.Equal(ObjectType.Blob, raw.Type);
        Assert.Equal("raw name\n", raw.Data.ToStringUtf8());
        Assert.Equal(await repo.WriteBlobAsync("raw name\n"), raw.Oid);
    }

    [Theory]
    [InlineData("nope.txt")]
    [InlineData("dir/nope")]
    [InlineData("./README.md")]
    [InlineData("dir//file.txt")]
    [InlineData("/README.md")]
    [InlineData("")]
    [InlineData("README.md/x")]
    public async Task GetBlobs_PathNotFoundOrNotClean_OnlyRevisionAndPath(string path)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["README.md"] = "x", ["dir/file.txt"] = "y" });

        var only = Assert.Single(await CallAsync(repo, -1, ("main", path)));

        Assert.Equal(new GetBlobsResponse { Revision = "main", Path = ByteString.CopyFromUtf8(path) }, only);
    }

    [Fact]
    public async Task GetBlobs_MissingRevision_OnlyRevisionAndPath()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var only = Assert.Single(await CallAsync(repo, -1, ("no-such-branch", "README.md")));

        Assert.Equal(new GetBlobsResponse { Revision = "no-such-branch", Path = ByteString.CopyFromUtf8("README.md") }, only);
    }

    [Fact]
    public async Task GetBlobs_TrailingSlash_TrimmedInLookupAndAnswer()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["dir/file.txt"] = "y" });

        var only = Assert.Single(await CallAsync(repo, -1, ("main", "dir//")));

        Assert.Equal("dir", only.Path.ToStringUtf8());
        Assert.Equal(ObjectType.Tree, only.Type);
    }

    [Fact]
    public async Task GetBlobs_BigBlobsInARow_MetadataOnFirstMessageOfEachBlob()
    {
        var repo = await server.CreateRepoAsync();
        var big = GetBlobTests.RandomBytes(80000, seed: 4);
        var commit = await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = big, ["small.txt"] = "small" });

        var responses = await CallAsync(repo, -1, (commit, "big.bin"), (commit, "small.txt"), (commit, "big.bin"));

        // 80000 bytes: 32768 + 32768 + 14464, then one message for the small blob, then the big one again.
        Assert.Equal(7, responses.Count);
        var starts = responses.Select((r, i) => (r, i)).Where(x => x.r.Oid.Length > 0).Select(x => x.i).ToArray();
        Assert.Equal([0, 3, 4], starts);
        Assert.All(responses.Where(r => r.Oid.Length == 0), r => Assert.True(r.Size == 0 && r.Path.IsEmpty && r.Revision.Length == 0 && r.Mode == 0));
        Assert.Equal(big, responses[0..3].SelectMany(r => r.Data.ToByteArray()).ToArray());
        Assert.Equal("small", responses[3].Data.ToStringUtf8());
        Assert.Equal(big, responses[4..7].SelectMany(r => r.Data.ToByteArray()).ToArray());
        Assert.Equal(commit, responses[4].Revision);
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(3, "sma")]
    [InlineData(100, "small")]
    public async Task GetBlobs_Limit_CutsEachBlob(long limit, string expected)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "small", ["b.txt"] = "small" });

        var responses = await CallAsync(repo, limit, ("main", "a.txt"), ("main", "b.txt"));

        Assert.Equal(2, responses.Count);
        Assert.All(responses, r => Assert.Equal(expected, r.Data.ToStringUtf8()));
        Assert.All(responses, r => Assert.Equal(5, r.Size));
    }

    [Fact]
    public async Task GetBlobs_NoRevisionPaths_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, -1));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("empty RevisionPaths", e.Status.Detail);
    }

    [Theory]
    [InlineData("", "empty revision")]
    [InlineData("-main", "revision can't start with '-'")]
    [InlineData("ma in", "revision can't contain whitespace")]
    public async Task GetBlobs_InvalidRevision_InvalidArgument(string revision, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, -1, (revision, "README.md")));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task GetBlobs_NoRepository_InvalidArgument()
    {
        var request = new GetBlobsRequest();
        request.RevisionPaths.Add(new RevisionPath { Revision = "main", Path = ByteString.CopyFromUtf8("a") });

        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(server.Blob.GetBlobs(request)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static async Task AssertBlobAsync(TestRepo repo, GetBlobsResponse response, string path, int mode)
    {
        Assert.Equal("main", response.Revision);
        Assert.Equal(path, response.Path.ToStringUtf8());
        Assert.Equal(ObjectType.Blob, response.Type);
        Assert.Equal(mode, response.Mode);
        Assert.False(response.IsSubmodule);
        Assert.Equal(await repo.RevParseAsync("main:" + path), response.Oid);
        var content = await repo.GitBytesAsync(["cat-file", "blob", "main:" + path]);
        Assert.Equal(content.Length, response.Size);
        Assert.Equal(content, response.Data.ToByteArray());
    }

    private Task<List<GetBlobsResponse>> CallAsync(TestRepo repo, long limit, params (string Revision, object Path)[] revisionPaths)
    {
        var request = new GetBlobsRequest { Repository = ServerFixture.Proto(repo), Limit = limit };
        foreach (var (revision, path) in revisionPaths)
        {
            request.RevisionPaths.Add(new RevisionPath
            {
                Revision = revision,
                Path = path is byte[] bytes ? ByteString.CopyFrom(bytes) : ByteString.CopyFromUtf8((string)path),
            });
        }

        return ReadAllAsync(server.Blob.GetBlobs(request));
    }

    private static async Task<List<GetBlobsResponse>> ReadAllAsync(AsyncServerStreamingCall<GetBlobsResponse> call)
    {
        using (call)
        {
            var responses = new List<GetBlobsResponse>();
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                responses.Add(response);
            }

            return responses;
        }
    }
}
