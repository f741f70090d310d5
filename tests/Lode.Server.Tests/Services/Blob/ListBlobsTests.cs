using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;
using BlobItem = Gitaly.ListBlobsResponse.Types.Blob;

namespace Lode.Server.Tests.Services.Blob;

public sealed class ListBlobsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const int PieceSize = 32 * 1024;

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListBlobs_Branch_SameBlobsAndOrderAsRevList(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "a1", ["dir/b.txt"] = "b1" });
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "a2", ["dir/b.txt"] = "b1", ["c.txt"] = "" });

        var (blobs, _) = await CallAsync(repo, ["main"], withPaths: true);

        var expected = await RevListBlobsAsync(repo, "main");
        Assert.Equal(expected.Select(e => e.Oid), blobs.Select(b => b.Oid));
        Assert.Equal(expected.Select(e => e.Path), blobs.Select(b => b.Path.ToStringUtf8()));
        foreach (var blob in blobs)
        {
            Assert.Equal(long.Parse(await repo.GitAsync("cat-file", "-s", blob.Oid), System.Globalization.CultureInfo.InvariantCulture), blob.Size);
            Assert.True(blob.Data.IsEmpty);
        }
    }

    [Fact]
    public async Task ListBlobs_WithoutPaths_NoPathSet()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "a" });

        var (blobs, _) = await CallAsync(repo, ["main"]);

        Assert.True(Assert.Single(blobs).Path.IsEmpty);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(1000)]
    public async Task ListBlobs_BytesLimit_DataMatchesCatFile(long bytesLimit)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "first blob", ["b.txt"] = "second blob", ["e.txt"] = "" });

        var (blobs, _) = await CallAsync(repo, ["main"], bytesLimit: bytesLimit);

        Assert.Equal(3, blobs.Count);
        foreach (var blob in blobs)
        {
            var content = await repo.GitBytesAsync(["cat-file", "blob", blob.Oid]);
            Assert.Equal(content.Length, blob.Size);
            Assert.Equal(content.Take(bytesLimit < 0 ? content.Length : (int)bytesLimit), blob.Data.ToByteArray());
        }
    }

    [Fact]
    public async Task ListBlobs_BlobBiggerThanOnePiece_ContinuesInItemsWithoutOid()
    {
        var repo = await server.CreateRepoAsync();
        var big = GetBlobTests.RandomBytes((PieceSize * 2) + 100, seed: 5);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = big, ["small.txt"] = "small" });

        var (blobs, _) = await CallAsync(repo, ["main"], bytesLimit: -1, withPaths: true);

        var order = (await RevListBlobsAsync(repo, "main")).Select(e => e.Path).ToArray();
        var bigFirst = order[0] == "big.bin";
        var bigItems = bigFirst ? blobs.Take(3).ToList() : blobs.Skip(1).ToList();
        Assert.Equal(4, blobs.Count);
        Assert.Equal(big.Length, bigItems[0].Size);
        Assert.NotEmpty(bigItems[0].Oid);
        Assert.All(bigItems.Skip(1), b => Assert.True(b.Oid.Length == 0 && b.Size == 0));
        Assert.All(bigItems, b => Assert.Equal("big.bin", b.Path.ToStringUtf8()));
        Assert.Equal([PieceSize, PieceSize, 100], bigItems.Select(b => b.Data.Length));
        Assert.Equal(big, bigItems.SelectMany(b => b.Data.ToByteArray()).ToArray());
    }

    [Fact]
    public async Task ListBlobs_ManyBlobsWithData_SpreadOverMessagesUnderOneMiB()
    {
        var repo = await server.CreateRepoAsync();
        var files = new Dictionary<string, object>();
        for (var i = 0; i < 40; i++)
        {
            files[$"f{i:D2}.bin"] = GetBlobTests.RandomBytes(30000, seed: 100 + i);
        }

        await repo.CommitAsync(files: files);

        var (blobs, messages) = await CallAsync(repo, ["main"], bytesLimit: -1);

        Assert.Equal(40, blobs.Count);
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.True(m.CalculateSize() < 1024 * 1024 + 1024));
    }

    [Fact]
    public async Task ListBlobs_Limit_StopsAfterThatManyBlobs()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "1", ["b"] = "2", ["c"] = "3" });

        var (blobs, _) = await CallAsync(repo, ["main"], limit: 2, bytesLimit: -1);

        var expected = await RevListBlobsAsync(repo, "main");
        Assert.Equal(expected.Take(2).Select(e => e.Oid), blobs.Select(b => b.Oid));
    }

    [Fact]
    public async Task ListBlobs_PseudoRevisionsAndRanges_AsRevList()
    {
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "main" });
        await repo.CommitAsync(branch: "feature", files: new Dictionary<string, object> { ["a"] = "main", ["b"] = "feature" }, parents: [main]);

        var (notAll, _) = await CallAsync(repo, ["main", "--not", "--all"]);
        var (featureOnly, _) = await CallAsync(repo, ["--all", "--not", "main"]);
        var (range, _) = await CallAsync(repo, ["feature", "^main"]);
        var (branches, _) = await CallAsync(repo, ["--branches=feat*"]);

        Assert.Empty(notAll);
        Assert.Equal([await repo.RevParseAsync("feature:b")], featureOnly.Select(b => b.Oid));
        Assert.Equal([await repo.RevParseAsync("feature:b")], range.Select(b => b.Oid));
        Assert.Equal((await RevListBlobsAsync(repo, "feature")).Select(e => e.Oid), branches.Select(b => b.Oid));
    }

    [Fact]
    public async Task ListBlobs_RevisionWithPathAndBlobId_NamedAsRevListNamesThem()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "a" });
        var loose = await repo.WriteBlobAsync("loose");

        var (blobs, _) = await CallAsync(repo, ["main:a.txt", loose], withPaths: true, bytesLimit: -1);

        var expected = await RevListBlobsAsync(repo, "main:a.txt", loose);
        Assert.Equal([await repo.RevParseAsync("main:a.txt"), loose], blobs.Select(b => b.Oid));
        Assert.Equal(expected.Select(e => e.Path), blobs.Select(b => b.Path.ToStringUtf8()));
        Assert.Equal(["a.txt", ""], blobs.Select(b => b.Path.ToStringUtf8()));
        Assert.Equal("loose", blobs[1].Data.ToStringUtf8());
    }

    [Fact]
    public async Task ListBlobs_NonUtf8Path_ReturnedAsRawBytes()
    {
        var repo = await server.CreateRepoAsync();
        byte[] name = [(byte)'d', 0xe9, (byte)'j', (byte)'a'];
        await repo.CommitAsync(files: new Dictionary<string, object> { ["x"] = new TreeFile(Encoding.UTF8.GetBytes("deja"), RawPath: name) });

        var (blobs, _) = await CallAsync(repo, ["main"], withPaths: true);

        Assert.Equal(name, Assert.Single(blobs).Path.ToByteArray());
    }

    [Fact]
    public async Task ListBlobs_QuarantinedObjects_SeenWithQuarantineDirectories()
    {
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "a" });
        var quarantine = Path.Combine(repo.Path, "objects", "incoming-list");
        Directory.CreateDirectory(quarantine);
        var env = new Dictionary<string, string>
        {
            ["GIT_OBJECT_DIRECTORY"] = quarantine,
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = Path.Combine(repo.Path, "objects"),
        };
        var blob = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["hash-object", "-w", "--stdin"], "pushed"u8.ToArray(), env)).Trim();
        var tree = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["mktree"], Encoding.ASCII.GetBytes($"100644 blob {blob}\tnew\n"), env)).Trim();
        var pushed = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["commit-tree", tree, "-p", main, "-m", "push"], env: env)).Trim();
        var proto = ServerFixture.Proto(repo);
        proto.GitObjectDirectory = "objects/incoming-list";
        proto.GitAlternateObjectDirectories.Add("objects");

        var (blobs, _) = await CallAsync(repo, [pushed, "--not", "--all"], bytesLimit: -1, repository: proto);

        Assert.Equal("pushed", Assert.Single(blobs).Data.ToStringUtf8());
    }

    [Fact]
    public async Task ListBlobs_NoRevisions_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, []));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("missing revisions", e.Status.Detail);
    }

    [Theory]
    [InlineData("--foobar", "invalid revision: revision can't start with '-'")]
    [InlineData("-main", "invalid revision: revision can't start with '-'")]
    [InlineData("ma in", "invalid revision: revision can't contain whitespace")]
    [InlineData("", "invalid revision: empty revision")]
    public async Task ListBlobs_InvalidRevision_InvalidArgument(string revision, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ["main", revision]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task ListBlobs_UnknownRevision_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ["no-such-branch"]));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public async Task ListBlobs_RepositoryMissing_NotFound()
    {
        var repo = await server.CreateRepoAsync();
        var proto = ServerFixture.Proto(repo);
        proto.RelativePath = "missing.git";

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ["main"], repository: proto));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    internal static async Task<List<(string Oid, string Path)>> RevListBlobsAsync(TestRepo repo, params string[] revisions)
    {
        var lines = await repo.GitLinesAsync(["rev-list", "--in-commit-order", "--objects", "--object-names", "--filter=object:type=blob",
            "--filter-provided-objects", .. revisions]);
        return lines.Select(l =>
        {
            var space = l.IndexOf(' ', StringComparison.Ordinal);
            return space < 0 ? (l, "") : (l[..space], l[(space + 1)..]);
        }).ToList();
    }

    private async Task<(List<BlobItem> Blobs, List<ListBlobsResponse> Messages)> CallAsync(TestRepo repo, string[] revisions, uint limit = 0,
        long bytesLimit = 0, bool withPaths = false, Gitaly.Repository? repository = null)
    {
        var request = new ListBlobsRequest
        {
            Repository = repository ?? ServerFixture.Proto(repo),
            Limit = limit,
            BytesLimit = bytesLimit,
            WithPaths = withPaths,
        };
        request.Revisions.AddRange(revisions);
        using var call = server.Blob.ListBlobs(request);
        var messages = new List<ListBlobsResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }

        return (messages.SelectMany(m => m.Blobs).ToList(), messages);
    }
}
