using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class GetTagMessagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<List<GetTagMessagesResponse>> CallAsync(TestRepo repo, params string[] ids)
    {
        var request = new GetTagMessagesRequest { Repository = ServerFixture.Proto(repo) };
        request.TagIds.AddRange(ids);
        return server.Ref.GetTagMessages(request).ReadAllAsync();
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetTagMessages_SeveralTags_IdThenWholeUntrimmedMessage(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main");
        const string signed = "signed\n\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n";
        var first = await repo.AnnotatedTagAsync("first", commit, "first message\n\n\n");
        var second = await repo.AnnotatedTagAsync("second", commit, signed);

        var messages = await CallAsync(repo, first, second);

        Assert.Equal([first, "", second, ""], messages.Select(m => m.TagId));
        Assert.True(messages[0].Message.IsEmpty);
        Assert.Equal("first message\n\n\n", messages[1].Message.ToStringUtf8());
        Assert.Equal(signed, messages[3].Message.ToStringUtf8());
    }

    [Fact]
    public async Task GetTagMessages_LargeMessage_128KiBChunks()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var message = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"line {i}\n"));
        var tag = await repo.AnnotatedTagAsync("big", commit, message);

        var messages = await CallAsync(repo, tag);

        Assert.Equal(tag, messages[0].TagId);
        Assert.All(messages.Skip(1), m => Assert.Equal("", m.TagId));
        Assert.All(messages.Skip(1).SkipLast(1), m => Assert.Equal(128 * 1024, m.Message.Length));
        Assert.Equal(message, Encoding.UTF8.GetString(messages.Skip(1).SelectMany(m => m.Message.ToByteArray()).ToArray()));
        Assert.Equal((Encoding.UTF8.GetByteCount(message) + (128 * 1024) - 1) / (128 * 1024), messages.Count - 1);
    }

    [Fact]
    public async Task GetTagMessages_EmptyMessage_OnlyTheId()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var tag = await repo.AnnotatedTagAsync("empty", commit, "");

        var messages = await CallAsync(repo, tag);

        Assert.Equal(tag, Assert.Single(messages).TagId);
    }

    [Fact]
    public async Task GetTagMessages_NotATag_Internal()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        var notTag = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commit));
        var missing = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, new string('2', 40)));

        Assert.Equal(StatusCode.Internal, notTag.StatusCode);
        Assert.Equal("getting tag: expected tag, got commit", notTag.Status.Detail);
        Assert.Equal(StatusCode.Internal, missing.StatusCode);
    }
}
