using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class DeleteRefsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task CallAsync(TestRepo repo, IEnumerable<string>? refs = null, IEnumerable<string>? except = null)
    {
        var request = new DeleteRefsRequest { Repository = ServerFixture.Proto(repo) };
        request.Refs.AddRange((refs ?? []).Select(ByteString.CopyFromUtf8));
        request.ExceptWithPrefix.AddRange((except ?? []).Select(ByteString.CopyFromUtf8));
        await server.Ref.DeleteRefsAsync(request);
    }

    private async Task<TestRepo> RepoWithRefsAsync(string format = "sha1")
    {
        var repo = await server.CreateRepoAsync(format);
        foreach (var name in new[] { "refs/heads/master", "refs/delete/a", "refs/also-delete/b", "refs/keep/c", "refs/also-keep/d" })
        {
            var oid = await repo.CommitAsync(branch: "", message: name);
            await repo.CreateRefAsync(name, oid);
        }

        await repo.GitAsync("symbolic-ref", "refs/delete/symbolic-a", "refs/delete/a");
        await repo.GitAsync("symbolic-ref", "refs/delete/symbolic-c", "refs/keep/c");
        return repo;
    }

    private static Task<string[]> NamesAsync(TestRepo repo) => repo.GitLinesAsync("for-each-ref", "--format=%(refname)");

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task DeleteRefs_ExceptWithPrefix_KeepsOnlyThose(string format)
    {
        var repo = await RepoWithRefsAsync(format);

        await CallAsync(repo, except: ["refs/keep", "refs/also-keep", "refs/heads/"]);

        Assert.Equal(["refs/also-keep/d", "refs/heads/master", "refs/keep/c"], await NamesAsync(repo));
    }

    [Fact]
    public async Task DeleteRefs_ListedRefs_SymbolicRefsThemselvesRemoved()
    {
        var repo = await RepoWithRefsAsync();

        await CallAsync(repo, refs: ["refs/delete/a", "refs/also-delete/b", "refs/delete/symbolic-a", "refs/delete/symbolic-c", "refs/never/existed"]);

        // symbolic-c pointed at refs/keep/c: only the symbolic ref goes (no-deref).
        Assert.Equal(["refs/also-keep/d", "refs/heads/master", "refs/keep/c"], await NamesAsync(repo));
    }

    [Fact]
    public async Task DeleteRefs_NonUtf8Ref_Deleted()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var name = RefRepo.Concat("refs/heads/", RefRepo.Latin1Name);
        await repo.CreateRefAsync(name, commit);

        var request = new DeleteRefsRequest { Repository = ServerFixture.Proto(repo) };
        request.Refs.Add(ByteString.CopyFrom(name));
        await server.Ref.DeleteRefsAsync(request);

        Assert.Equal(["refs/heads/main"], await NamesAsync(repo));
    }

    [Fact]
    public async Task DeleteRefs_InvalidNames_InvalidArgumentListingAllAndNothingDeleted()
    {
        var repo = await RepoWithRefsAsync();
        var before = await NamesAsync(repo);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, refs: ["refs invalid-ref-format", "refs/delete/a", "-refs/x"]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid references", e.Status.Detail);
        var detail = Assert.Single(e.GetRpcStatus()!.Details).Unpack<DeleteRefsError>();
        Assert.Equal(["refs invalid-ref-format", "-refs/x"], detail.InvalidFormat.Refs.Select(r => r.ToStringUtf8()));
        Assert.Equal(before, await NamesAsync(repo));
    }

    [Fact]
    public async Task DeleteRefs_OneRefLocked_AbortedAndNothingDeleted()
    {
        var repo = await RepoWithRefsAsync();
        var before = await NamesAsync(repo);
        var lockFile = Path.Combine(repo.Path, "refs", "keep", "c.lock");
        await File.WriteAllTextAsync(lockFile, "");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, except: ["refs/heads/"]));

        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal("cannot lock references", e.Status.Detail);
        var detail = Assert.Single(e.GetRpcStatus()!.Details).Unpack<DeleteRefsError>();
        Assert.Equal(["refs/keep/c"], detail.ReferencesLocked.Refs.Select(r => r.ToStringUtf8()));
        Assert.Equal(before, await NamesAsync(repo));
        File.Delete(lockFile);
        Assert.Empty(Directory.EnumerateFiles(repo.Path, "*.lock", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task DeleteRefs_Validation_GitalyMessages()
    {
        var repo = await server.CreateRepoAsync();

        async Task<RpcException> Fails(DeleteRefsRequest request) =>
            await Assert.ThrowsAsync<RpcException>(() => server.Ref.DeleteRefsAsync(request).ResponseAsync);

        var noRepo = await Fails(new DeleteRefsRequest { ExceptWithPrefix = { ByteString.CopyFromUtf8("x") } });
        var neither = await Fails(new DeleteRefsRequest { Repository = ServerFixture.Proto(repo) });
        var both = await Fails(new DeleteRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            ExceptWithPrefix = { ByteString.CopyFromUtf8("exclude-this") },
            Refs = { ByteString.CopyFromUtf8("delete-this") },
        });
        var emptyPrefix = await Fails(new DeleteRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            ExceptWithPrefix = { ByteString.CopyFromUtf8("exclude-this"), ByteString.Empty },
        });
        var emptyRef = await Fails(new DeleteRefsRequest
        {
            Repository = ServerFixture.Proto(repo),
            Refs = { ByteString.CopyFromUtf8("delete-this"), ByteString.Empty },
        });

        Assert.All(new[] { noRepo, neither, both, emptyPrefix, emptyRef }, e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.Equal("repository not set", noRepo.Status.Detail);
        Assert.Equal("empty ExceptWithPrefix and Refs", neither.Status.Detail);
        Assert.Equal("ExceptWithPrefix and Refs are mutually exclusive", both.Status.Detail);
        Assert.Equal("empty prefix for exclusion", emptyPrefix.Status.Detail);
        Assert.Equal("empty ref", emptyRef.Status.Detail);
    }

    [Fact]
    public async Task DeleteRefs_ManyRefs_AllDeletedInOneTransaction()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefsAsync(Enumerable.Range(0, 1500).Select(i => ($"refs/tmp/{i}", commit)));

        await CallAsync(repo, except: ["refs/heads/"]);

        Assert.Equal(["refs/heads/main"], await NamesAsync(repo));
    }
}
