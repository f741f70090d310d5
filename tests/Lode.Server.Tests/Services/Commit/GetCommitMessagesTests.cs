using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class GetCommitMessagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetCommitMessages_BigAndSmallMessages_IdThenChunks(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var big = new string('a', 2) + "\n" + string.Concat(Enumerable.Repeat("b\n", 150 * 1024));
        var first = await repo.CommitAsync(message: big);
        var second = await repo.CommitAsync(message: "short\r\n\nbody\n");
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1", second);

        var responses = await CallAsync(repo, [first, second, "v1"]);

        Assert.Equal([first, second, "v1"], responses.Where(r => r.CommitId.Length > 0).Select(r => r.CommitId));
        Assert.All(responses, r => Assert.True(r.CommitId.Length > 0 ? r.Message.IsEmpty : r.Message.Length is > 0 and <= 128 * 1024));
        Assert.Equal(2, responses.Count(r => r.Message.Length == 128 * 1024));
        var messages = Fold(responses);
        foreach (var (id, message) in messages)
        {
            var raw = await repo.GitBytesAsync(["cat-file", "commit", id == "v1" ? second : id]);
            var separator = raw.AsSpan().IndexOf("\n\n"u8);
            Assert.Equal(raw[(separator + 2)..], message);
        }
    }

    [Fact]
    public async Task GetCommitMessages_OverOneChunk_SplitAt128KiB()
    {
        var repo = await server.CreateRepoAsync();
        var id = await repo.CommitAsync(message: new string('x', 300 * 1024));

        var responses = await CallAsync(repo, [id]);

        Assert.Equal([0, 128 * 1024, 128 * 1024, (300 - 256) * 1024], responses.Select(r => r.Message.Length));
    }

    [Fact]
    public async Task GetCommitMessages_EmptyMessage_OnlyTheId()
    {
        var repo = await server.CreateRepoAsync();
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object> { ["f"] = "f" });
        var id = await CommitTestData.WriteRawCommitAsync(repo, System.Text.Encoding.ASCII.GetBytes(
            $"tree {tree}\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\n"));

        var responses = await CallAsync(repo, [id]);

        Assert.Equal(id, Assert.Single(responses).CommitId);
    }

    [Fact]
    public async Task GetCommitMessages_UnknownCommit_InternalAfterEarlierMessages()
    {
        var repo = await server.CreateRepoAsync();
        var id = await repo.CommitAsync(message: "known\n");
        var responses = new List<GetCommitMessagesResponse>();

        using var call = server.Commit.GetCommitMessages(new GetCommitMessagesRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitIds = { id, new string('1', 40) },
        });
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                responses.Add(response);
            }
        });

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("failed to get commit message: object not found", e.Status.Detail);
        Assert.Equal(id, responses[0].CommitId);
    }

    [Fact]
    public async Task GetCommitMessages_NoRepository_InvalidArgument()
    {
        using var call = server.Commit.GetCommitMessages(new GetCommitMessagesRequest { CommitIds = { "5937ac0a7beb003549fc5fd26fc247adbce4a52e" } });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static List<(string Id, byte[] Message)> Fold(List<GetCommitMessagesResponse> responses)
    {
        var result = new List<(string Id, byte[] Message)>();
        foreach (var response in responses)
        {
            if (response.CommitId.Length > 0)
            {
                result.Add((response.CommitId, response.Message.ToByteArray()));
            }
            else
            {
                result[^1] = (result[^1].Id, [.. result[^1].Message, .. response.Message.ToByteArray()]);
            }
        }

        return result;
    }

    private async Task<List<GetCommitMessagesResponse>> CallAsync(TestRepo repo, IEnumerable<string> ids)
    {
        using var call = server.Commit.GetCommitMessages(new GetCommitMessagesRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitIds = { ids },
        });
        var responses = new List<GetCommitMessagesResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        return responses;
    }
}
