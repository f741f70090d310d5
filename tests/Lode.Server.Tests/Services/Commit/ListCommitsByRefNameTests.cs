using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class ListCommitsByRefNameTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task ListCommitsByRefName_KnownUnknownAndNonUtf8_PairsInRequestOrder(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, ids) = await ListCommitsTests.MergeHistoryAsync(repo);
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1", ids[0]);
        byte[] latin1 = [.. "refs/heads/caf"u8, 0xe9];
        await CommitTestData.UpdateRawRefAsync(repo, latin1, ids[1]);
        ByteString[] names =
        [
            ByteString.CopyFromUtf8("refs/heads/main"),
            ByteString.CopyFromUtf8("refs/heads/missing"),
            ByteString.CopyFrom(latin1),
            ByteString.CopyFromUtf8("refs/tags/v1"),
            ByteString.CopyFromUtf8("side"),
        ];

        using var call = server.Commit.ListCommitsByRefName(new ListCommitsByRefNameRequest
        {
            Repository = ServerFixture.Proto(repo),
            RefNames = { names },
        });
        var pairs = new List<ListCommitsByRefNameResponse.Types.CommitForRef>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            pairs.AddRange(response.CommitRefs);
        }

        Assert.Equal([names[0], names[2], names[3], names[4]], pairs.Select(p => p.RefName));
        Assert.Equal(await CommitTestData.ExpectedAsync(repo, [merge, ids[1], ids[0], ids[2]]), pairs.Select(p => p.Commit));
    }

    [Fact]
    public async Task ListCommitsByRefName_MissingRepository_NotFound()
    {
        using var call = server.Commit.ListCommitsByRefName(new ListCommitsByRefNameRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
            RefNames = { ByteString.CopyFromUtf8("main") },
        });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }
}
