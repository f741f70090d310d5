using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

/// <summary>The validation table of spec §4.3, through a real RPC, with nothing on disk changed by a bad request.</summary>
public sealed class RepositoryPathTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string?, string?, StatusCode, string> Cases() => new()
    {
        { "no repository", null, null, StatusCode.InvalidArgument, "repository not set" },
        { "empty storage and path", "", "", StatusCode.InvalidArgument, "repository not set" },
        { "empty path", "default", "", StatusCode.InvalidArgument, "repository path not set" },
        { "empty storage", "", "a.git", StatusCode.InvalidArgument, "storage name not set" },
        { "unknown storage", "other", "a.git", StatusCode.InvalidArgument, "storage name not found" },
        { "parent escape", "default", "../outside.git", StatusCode.InvalidArgument, "relative path escapes root directory" },
        { "inner escape", "default", "a/../../outside.git", StatusCode.InvalidArgument, "relative path escapes root directory" },
        { "absolute escape", "default", "/../../etc", StatusCode.InvalidArgument, "relative path escapes root directory" },
        { "missing repository", "default", "missing.git", StatusCode.NotFound, "repository not found" },
        { "leading slash is joined", "default", "/missing.git", StatusCode.NotFound, "repository not found" },
        { "inner dotdot staying inside", "default", "a/../missing.git", StatusCode.NotFound, "repository not found" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HasLocalBranches_BadRepository_AnswersCodeAndChangesNothing(string name, string? storage, string? path, StatusCode code, string message)
    {
        var before = Snapshot(server.Root.Path);
        var request = new Gitaly.HasLocalBranchesRequest();
        if (storage is not null)
        {
            request.Repository = new Gitaly.Repository { StorageName = storage, RelativePath = path };
        }

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.HasLocalBranchesAsync(request));

        Assert.True(code == e.StatusCode, $"{name}: {e.StatusCode} {e.Status.Detail}");
        Assert.Equal(message, e.Status.Detail);
        Assert.Equal(before, Snapshot(server.Root.Path));
    }

    [Theory]
    [InlineData("objects")]
    [InlineData("refs")]
    [InlineData("HEAD")]
    public async Task HasLocalBranches_RepositoryMissingEntry_FailedPrecondition(string entry)
    {
        var repo = await server.CreateRepoAsync();
        var path = Path.Combine(repo.Path, entry);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, true);
        }
        else
        {
            File.Delete(path);
        }

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Repository.HasLocalBranchesAsync(new() { Repository = ServerFixture.Proto(repo) }));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal($"repository not valid: \"{entry}\" does not exist", e.Status.Detail);
    }

    [Fact]
    public async Task CreateRepository_EscapingPath_InvalidArgumentAndNothingCreated()
    {
        var before = Snapshot(server.Root.Path);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.CreateRepositoryAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = "default", RelativePath = "../../escaped.git" },
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(before, Snapshot(server.Root.Path));
        Assert.False(Directory.Exists(Path.Combine(server.Root.Path, "..", "escaped.git")));
    }

    /// <summary>Every path under the root except the server's own runtime folder and the +gitaly scratch space.</summary>
    private static string Snapshot(string root) => string.Join('\n', Directory
        .EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Where(p => !p.Contains("/lode-", StringComparison.Ordinal) && !p.Contains("+gitaly", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal));
}
