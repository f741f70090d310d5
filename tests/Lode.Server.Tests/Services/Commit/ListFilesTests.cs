using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class ListFilesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListFiles_Revision_MatchesLsTreeBlobs(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        byte[] raw = [(byte)'r', (byte)'a', (byte)'w', 0xFF];
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["a.txt"] = "a",
            ["dir/b.txt"] = "b",
            ["dir/deeper/c"] = "c",
            ["link"] = new TreeFile("a.txt"u8.ToArray(), Mode: "120000"),
            ["sub"] = new TreeFile(Mode: "160000", Oid: new string('4', repo.HexLength)),
            ["x"] = new TreeFile("r"u8.ToArray(), RawPath: raw),
        });

        var paths = await CallAsync(Request(repo, "main"));

        var expected = await GitBlobPathsAsync(repo, "main");
        Assert.Equal(expected, paths.Select(p => Convert.ToHexString(p)));
        Assert.DoesNotContain(paths, p => Encoding.UTF8.GetString(p) == "sub");
        Assert.Contains(paths, p => p.AsSpan().SequenceEqual(raw));
    }

    [Fact]
    public async Task ListFiles_EmptyRevision_UsesDefaultBranch()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["on-main"] = "m" });
        await repo.CommitAsync(branch: "other", files: new Dictionary<string, object> { ["on-other"] = "o" });

        var paths = await CallAsync(Request(repo, ""));

        Assert.Equal(["on-main"], paths.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task ListFiles_UnknownRevision_OneEmptyMessage()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        using var call = server.Commit.ListFiles(Request(repo, "does-not-exist"));
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Empty(Assert.Single(responses).Paths);
    }

    [Fact]
    public async Task ListFiles_EmptyRepositoryNoRevision_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, "")));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("repository does not have a default branch", e.Status.Detail);
    }

    [Fact]
    public async Task ListFiles_ManyLongPaths_SplitIntoMessagesBelowOneMebibyte()
    {
        var repo = await server.CreateRepoAsync();
        var files = new Dictionary<string, object>();
        var prefix = new string('p', 200);
        var empty = await repo.WriteBlobAsync("");
        for (var i = 0; i < 6000; i++)
        {
            files[$"{prefix}{i:D5}"] = new TreeFile(Oid: empty);
        }

        await repo.CommitAsync(files: files);

        using var call = server.Commit.ListFiles(Request(repo, "main"));
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal(2, responses.Count);
        Assert.All(responses, r => Assert.True(r.CalculateSize() < 1024 * 1024));
        Assert.Equal(6000, responses.Sum(r => r.Paths.Count));
    }

    [Fact]
    public async Task ListFiles_InvalidRevision_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(Request(repo, "-x")));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("revision can't start with '-'", e.Status.Detail);
    }

    private static ListFilesRequest Request(TestRepo repo, string revision) => new()
    {
        Repository = ServerFixture.Proto(repo),
        Revision = ByteString.CopyFromUtf8(revision),
    };

    private async Task<List<byte[]>> CallAsync(ListFilesRequest request)
    {
        using var call = server.Commit.ListFiles(request);
        var paths = new List<byte[]>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            paths.AddRange(response.Paths.Select(p => p.ToByteArray()));
        }

        return paths;
    }

    /// <summary>Hex of each blob path git lists (hex keeps non-UTF-8 names comparable).</summary>
    private static async Task<List<string>> GitBlobPathsAsync(TestRepo repo, string revision)
    {
        var output = await repo.GitBytesAsync(["ls-tree", "-r", "-z", "--full-tree", revision]);
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] != 0)
            {
                continue;
            }

            var record = output.AsSpan(start, i - start);
            start = i + 1;
            var tab = record.IndexOf((byte)'\t');
            if (Encoding.ASCII.GetString(record[..tab]).Split(' ')[1] == "blob")
            {
                result.Add(Convert.ToHexString(record[(tab + 1)..]));
            }
        }

        return result;
    }
}
