using System.Globalization;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class CountDivergingCommitsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1", 0)]
    [InlineData("sha256", 0)]
    [InlineData("sha1", 3)]
    public async Task CountDivergingCommits_Branches_MatchRevListLeftRight(string format, int maxCount)
    {
        var repo = await server.CreateRepoAsync(format);
        var @base = await repo.CommitAsync();
        for (var i = 0; i < 3; i++)
        {
            await repo.CommitAsync(branch: "left", message: "left " + i, parents: i == 0 ? [@base] : null);
        }

        for (var i = 0; i < 4; i++)
        {
            await repo.CommitAsync(branch: "right", message: "right " + i, parents: i == 0 ? [@base] : null);
        }

        foreach (var (from, to) in new[] { ("left", "right"), ("right", "left"), ("main", "left"), ("left", "left") })
        {
            var reply = await server.Commit.CountDivergingCommitsAsync(new CountDivergingCommitsRequest
            {
                Repository = ServerFixture.Proto(repo),
                From = ByteString.CopyFromUtf8(from),
                To = ByteString.CopyFromUtf8(to),
                MaxCount = maxCount,
            });

            List<string> args = ["rev-list", "--count", "--left-right", from + "..." + to];
            if (maxCount > 0)
            {
                args.Add("--max-count=" + maxCount.ToString(CultureInfo.InvariantCulture));
            }

            var counts = (await repo.GitAsync([.. args])).Split('\t');
            Assert.Equal((int.Parse(counts[0], CultureInfo.InvariantCulture), int.Parse(counts[1], CultureInfo.InvariantCulture)),
                (reply.LeftCount, reply.RightCount));
        }
    }

    [Theory]
    [InlineData("", "main")]
    [InlineData("main", "")]
    public async Task CountDivergingCommits_MissingSide_InvalidArgumentBeforeRepository(string from, string to)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CountDivergingCommitsAsync(new CountDivergingCommitsRequest
        {
            From = ByteString.CopyFromUtf8(from),
            To = ByteString.CopyFromUtf8(to),
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("from and to are both required", e.Status.Detail);
    }

    [Fact]
    public async Task CountDivergingCommits_UnknownRevision_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CountDivergingCommitsAsync(new CountDivergingCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            From = ByteString.CopyFromUtf8("main"),
            To = ByteString.CopyFromUtf8("nope"),
        }));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("gi rev-list error: exit status 128", e.Status.Detail);
    }
}
