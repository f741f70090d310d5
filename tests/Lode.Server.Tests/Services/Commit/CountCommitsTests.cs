using System.Globalization;
using Gitaly;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class CountCommitsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "sha1", "plain" },
        { "sha256", "plain" },
        { "sha1", "all" },
        { "sha1", "max_count" },
        { "sha1", "first_parent" },
        { "sha1", "path" },
        { "sha1", "after+before" },
        { "sha1", "revisions" },
        { "sha1", "literal" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CountCommits_Options_MatchRevListCount(string format, string option)
    {
        var repo = await server.CreateRepoAsync(format);
        var (merge, ids) = await ListCommitsTests.MergeHistoryAsync(repo);
        await repo.CommitAsync(branch: "other", message: "unrelated", parents: []);
        var request = new CountCommitsRequest { Repository = ServerFixture.Proto(repo), Revision = ByteString.CopyFromUtf8(merge) };
        List<string> args = ["rev-list", "--count", merge];
        switch (option)
        {
            case "all":
                request.Revision = ByteString.Empty;
                request.All = true;
                args = ["rev-list", "--count", "--all"];
                break;
            case "max_count":
                request.MaxCount = 2;
                args.Add("--max-count=2");
                break;
            case "first_parent":
                request.FirstParent = true;
                args.Add("--first-parent");
                break;
            case "path":
                request.Path = ByteString.CopyFromUtf8("b.txt");
                args.AddRange(["--", "b.txt"]);
                break;
            case "after+before":
                request.After = new Timestamp { Seconds = 1700000150 };
                request.Before = new Timestamp { Seconds = 1700000350 };
                args.AddRange(["--after=@1700000150", "--before=@1700000350"]);
                break;
            case "revisions":
                request.Revision = ByteString.Empty;
                request.Revisions.Add([ByteString.CopyFromUtf8(merge), ByteString.CopyFromUtf8("^" + ids[1])]);
                args = ["rev-list", "--count", merge, "^" + ids[1]];
                break;
            case "literal":
                request.Path = ByteString.CopyFromUtf8("*.txt");
                request.GlobalOptions = new GlobalOptions { LiteralPathspecs = true };
                args = ["--literal-pathspecs", "rev-list", "--count", merge, "--", "*.txt"];
                break;
        }

        var reply = await server.Commit.CountCommitsAsync(request);

        var expected = int.Parse(await repo.GitAsync([.. args]), CultureInfo.InvariantCulture);
        Assert.Equal(expected, reply.Count);
        Assert.True(option is "literal" || expected > 0, option);
    }

    [Fact]
    public async Task CountCommits_ThousandCommits_MatchesRevList()
    {
        var repo = await server.CreateRepoAsync();
        await CommitTestData.FastImportAsync(repo, 1000);

        var reply = await server.Commit.CountCommitsAsync(new CountCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("main"),
        });

        Assert.Equal(1000, reply.Count);
    }

    [Fact]
    public async Task CountCommits_UnknownRevisionOrEmptyRepository_Zero()
    {
        var empty = await server.CreateRepoAsync();
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var unknown = await server.Commit.CountCommitsAsync(new CountCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8("does-not-exist"),
        });
        var all = await server.Commit.CountCommitsAsync(new CountCommitsRequest { Repository = ServerFixture.Proto(empty), All = true });
        var head = await server.Commit.CountCommitsAsync(new CountCommitsRequest
        {
            Repository = ServerFixture.Proto(empty),
            Revision = ByteString.CopyFromUtf8("HEAD"),
        });

        Assert.Equal(0, unknown.Count);
        Assert.Equal(0, all.Count);
        Assert.Equal(0, head.Count);
    }

    [Fact]
    public async Task CountCommits_NonUtf8Branch_CountedThroughStdin()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var tip = await repo.CommitAsync();
        byte[] name = [.. "refs/heads/caf"u8, 0xe9];
        await CommitTestData.UpdateRawRefAsync(repo, name, tip);

        var reply = await server.Commit.CountCommitsAsync(new CountCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFrom(name),
        });

        Assert.Equal(2, reply.Count);
    }

    [Theory]
    [InlineData("", false, "empty Revision and false All")]
    [InlineData("-foo", false, "revision can't start with '-'")]
    [InlineData("a b", true, "revision can't contain whitespace")]
    public async Task CountCommits_BadRequest_InvalidArgument(string revision, bool all, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CountCommitsAsync(new CountCommitsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Revision = ByteString.CopyFromUtf8(revision),
            All = all,
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }
}
