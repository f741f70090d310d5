using System.Diagnostics;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;
using Update = Gitaly.UpdateReferencesRequest.Types.Update;

namespace Lode.Server.Tests.Services.Ref;

public sealed class UpdateReferencesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task CallAsync(TestRepo repo, params Update[][] messages)
    {
        using var call = server.Ref.UpdateReferences();
        var first = true;
        foreach (var updates in messages)
        {
            var request = new UpdateReferencesRequest();
            if (first)
            {
                request.Repository = ServerFixture.Proto(repo);
                first = false;
            }

            request.Updates.AddRange(updates);
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        await call.ResponseAsync;
    }

    private static Update U(string reference, string newOid, string oldOid = "") => new()
    {
        Reference = ByteString.CopyFromUtf8(reference),
        NewObjectId = ByteString.CopyFromUtf8(newOid),
        OldObjectId = ByteString.CopyFromUtf8(oldOid),
    };

    private static Task<string[]> RefsAsync(TestRepo repo) => repo.GitLinesAsync("for-each-ref", "--format=%(refname) %(objectname)");

    private static T Detail<T>(RpcException e)
        where T : IMessage<T>, new()
    {
        var status = e.GetRpcStatus();
        Assert.NotNull(status);
        return Assert.Single(status.Details).Unpack<T>();
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task UpdateReferences_CreateUpdateDeleteOverSeveralMessages_AllApplied(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var updateMe = await repo.CommitAsync(branch: "update-me");
        var deleteMe = await repo.CommitAsync(branch: "delete-me", message: "delete-me");
        var createMe = await repo.CommitAsync(branch: "", message: "create-me");
        await repo.CreateRefAsync("refs/heads/force-me", updateMe);

        await CallAsync(repo,
            [U("refs/heads/update-me", deleteMe, updateMe)],
            [U("refs/heads/delete-me", repo.ZeroOid, deleteMe), U("refs/heads/force-me", createMe)],
            [U("refs/heads/create-me", createMe, repo.ZeroOid), U("refs/merge-requests/1/head", createMe)]);

        Assert.Equal(
            [$"refs/heads/create-me {createMe}", $"refs/heads/force-me {createMe}", $"refs/heads/update-me {deleteMe}", $"refs/merge-requests/1/head {createMe}"],
            await RefsAsync(repo));
    }

    [Fact]
    public async Task UpdateReferences_OneOldValueMismatches_AbortedAndNothingChanged()
    {
        var repo = await server.CreateRepoAsync();
        var oldCommit = await repo.CommitAsync(branch: "branch");
        var newCommit = await repo.CommitAsync(branch: "", parents: [oldCommit]);
        var wrong = new string('1', repo.HexLength);
        var before = await RefsAsync(repo);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo,
            [U("refs/heads/new", newCommit, repo.ZeroOid), U("refs/heads/branch", newCommit, wrong)]));

        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal("reference does not point to expected object", e.Status.Detail);
        var mismatch = Detail<UpdateReferencesError>(e).ReferenceStateMismatch;
        Assert.Equal("refs/heads/branch", mismatch.ReferenceName.ToStringUtf8());
        Assert.Equal(wrong, mismatch.ExpectedObjectId.ToStringUtf8());
        Assert.Equal(oldCommit, mismatch.ActualObjectId.ToStringUtf8());
        Assert.Equal(before, await RefsAsync(repo));
        AssertNoLockFiles(repo);
    }

    [Fact]
    public async Task UpdateReferences_LockFileExists_AbortedWithLockedRefAndNothingChanged()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var next = await repo.CommitAsync(branch: "", parents: [commit]);
        var lockFile = Path.Combine(repo.Path, "refs", "heads", "x.lock");
        await File.WriteAllTextAsync(lockFile, "");
        var before = await RefsAsync(repo);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo,
            [U("refs/heads/main", next, commit), U("refs/heads/x", next)]));

        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal("reference is already locked", e.Status.Detail);
        Assert.Equal("refs/heads/x", Assert.Single(Detail<UpdateReferencesError>(e).ReferencesLocked.Refs).ToStringUtf8());
        Assert.Equal(before, await RefsAsync(repo));
        Assert.True(File.Exists(lockFile));
        File.Delete(lockFile);
        AssertNoLockFiles(repo);
    }

    [Fact]
    public async Task UpdateReferences_ConcurrentTransactionHoldsRef_AbortedThenSucceedsOnceReleased()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var next = await repo.CommitAsync(branch: "", parents: [commit]);

        // Another writer has prepared a transaction on main: its lock is held until it commits or aborts.
        await using (var other = await PreparedTransactionAsync(repo, $"update refs/heads/main\0{next}\0{commit}\0"))
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/main", next, commit)]));

            Assert.Equal(StatusCode.Aborted, e.StatusCode);
            Assert.Equal("refs/heads/main", Assert.Single(Detail<UpdateReferencesError>(e).ReferencesLocked.Refs).ToStringUtf8());
            Assert.Equal(commit, (await repo.RevParseAsync("refs/heads/main")).Trim());
        }

        await CallAsync(repo, [U("refs/heads/main", next, commit)]);

        Assert.Equal(next, (await repo.RevParseAsync("refs/heads/main")).Trim());
    }

    [Fact]
    public async Task UpdateReferences_MissingObject_NotFound()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/branch", new string('1', repo.HexLength))]));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("target object missing", e.Status.Detail);
        Assert.Equal(["refs/heads/main"], await repo.GitLinesAsync("for-each-ref", "--format=%(refname)"));
    }

    [Theory]
    [InlineData("foobar", "validating reference: reference is not fully qualified")]
    [InlineData("HEAD", "validating reference: HEAD reference not allowed")]
    [InlineData("refs/heads/a..b", "validating reference: reference must not contain double dots")]
    [InlineData("refs/heads/x.lock", "validating reference: component must not end with .lock")]
    [InlineData("refs/heads/sp ace", "validating reference: reference must not contain space characters")]
    public async Task UpdateReferences_InvalidName_InvalidArgumentWithInvalidFormat(string reference, string message)
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/ok", commit)], [U(reference, commit)]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
        Assert.Equal(reference, Assert.Single(Detail<UpdateReferencesError>(e).InvalidFormat.Refs).ToStringUtf8());
        Assert.Equal(["refs/heads/main"], await repo.GitLinesAsync("for-each-ref", "--format=%(refname)"));
    }

    [Fact]
    public async Task UpdateReferences_InvalidObjectIds_GitalyMessages()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        var badOld = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/b", commit, "invalid-hex")]));
        var badNew = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/b", "invalid-hex")]));
        var upper = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/b", commit.ToUpperInvariant())]));
        var empty = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/b", "")]));

        Assert.Equal(StatusCode.InvalidArgument, badOld.StatusCode);
        Assert.Equal("validating old object ID: invalid object ID: \"invalid-hex\", expected length 40, got 11", badOld.Status.Detail);
        Assert.Equal("validating new object ID: invalid object ID: \"invalid-hex\", expected length 40, got 11", badNew.Status.Detail);
        Assert.StartsWith($"validating new object ID: invalid object ID: \"{commit.ToUpperInvariant()}\", invalid character '", upper.Status.Detail,
            StringComparison.Ordinal);
        Assert.Equal("validating new object ID: invalid object ID: \"\", expected length 40, got 0", empty.Status.Detail);
        Assert.Equal(["refs/heads/main"], await repo.GitLinesAsync("for-each-ref", "--format=%(refname)"));
    }

    [Fact]
    public async Task UpdateReferences_ProtocolErrors_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        var noUpdates = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, Array.Empty<Update>()));
        var noMessages = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));
        var laterRepository = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = server.Ref.UpdateReferences();
            await call.RequestStream.WriteAsync(new() { Repository = ServerFixture.Proto(repo), Updates = { U("refs/heads/a", commit) } });
            await call.RequestStream.WriteAsync(new() { Repository = ServerFixture.Proto(repo), Updates = { U("refs/heads/b", commit) } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });
        var noRepository = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = server.Ref.UpdateReferences();
            await call.RequestStream.WriteAsync(new() { Updates = { U("refs/heads/a", commit) } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });

        Assert.Equal(StatusCode.Internal, noMessages.StatusCode);
        Assert.Equal("receiving initial request: EOF", noMessages.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noUpdates.StatusCode);
        Assert.Equal("no updates specified", noUpdates.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, laterRepository.StatusCode);
        Assert.Equal("repository set in subsequent request", laterRepository.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noRepository.StatusCode);
        Assert.Equal("repository not set", noRepository.Status.Detail);
        Assert.Equal(["refs/heads/main"], await repo.GitLinesAsync("for-each-ref", "--format=%(refname)"));
    }

    [Fact]
    public async Task UpdateReferences_NonUtf8Name_CreatedByteExact()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var name = RefRepo.Concat("refs/heads/", RefRepo.Latin1Name);

        await CallAsync(repo, [new Update { Reference = ByteString.CopyFrom(name), NewObjectId = ByteString.CopyFromUtf8(commit), OldObjectId = ByteString.CopyFromUtf8(repo.ZeroOid) }]);

        Assert.Contains(await repo.ForEachRefAsync("%(refname)"), r => r.AsSpan().SequenceEqual(name));
    }

    [Fact]
    public async Task UpdateReferences_CreateExistingRef_InternalAndUnchanged()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var next = await repo.CommitAsync(branch: "", parents: [commit]);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [U("refs/heads/main", next, repo.ZeroOid)]));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("committing update: reference already exists", e.Status.Detail);
        Assert.Equal(commit, (await repo.RevParseAsync("refs/heads/main")).Trim());
    }

    [Fact]
    public async Task UpdateReferences_SymbolicRef_UpdatesItsTarget()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var next = await repo.CommitAsync(branch: "", parents: [commit]);
        await repo.GitAsync("symbolic-ref", "refs/heads/sym", "refs/heads/main");

        await CallAsync(repo, [U("refs/heads/sym", next, commit)]);

        Assert.Equal(next, (await repo.RevParseAsync("refs/heads/main")).Trim());
        Assert.Equal("refs/heads/main", (await repo.GitAsync("symbolic-ref", "refs/heads/sym")).Trim());
    }

    private static void AssertNoLockFiles(TestRepo repo) =>
        Assert.Empty(Directory.EnumerateFiles(repo.Path, "*.lock", SearchOption.AllDirectories));

    /// <summary>Starts <c>git update-ref --stdin</c>, prepares a transaction and keeps it open until disposed.</summary>
    private static async Task<HeldTransaction> PreparedTransactionAsync(TestRepo repo, string updates)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        foreach (var arg in new[] { "--git-dir=" + repo.Path, "update-ref", "-z", "--stdin" })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        var stdin = process.StandardInput.BaseStream;
        await stdin.WriteAsync(Encoding.UTF8.GetBytes("start\0" + updates + "prepare\0"));
        await stdin.FlushAsync();
        Assert.Equal("start: ok", await process.StandardOutput.ReadLineAsync());
        Assert.Equal("prepare: ok", await process.StandardOutput.ReadLineAsync());
        return new HeldTransaction(process);
    }

    private sealed class HeldTransaction(Process process) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // End of input aborts the transaction and releases the locks.
            process.StandardInput.Close();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    [Fact]
    public async Task UpdateReferences_OutsideTransaction_StartsNoHook()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");

        await CallAsync(repo, [U("refs/heads/unhooked", commit)]);

        // Without a cluster transaction the reference-transaction hook has nobody to vote with: git is not made to start it.
        Assert.Equal(commit, await repo.RevParseAsync("refs/heads/unhooked"));
        Assert.Empty(HookCallbacks(repo));
    }

    [Fact]
    public async Task UpdateReferences_InPraefectTransaction_HookCallsBackAndRefusesWithoutCoordinator()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");
        var transaction = Convert.ToBase64String("{\"id\":7,\"node\":\"gitaly-1\",\"primary\":true}"u8);

        using var call = server.Ref.UpdateReferences(new Metadata { { "gitaly-reference-transaction", transaction } });
        var request = new UpdateReferencesRequest { Repository = ServerFixture.Proto(repo) };
        request.Updates.Add(U("refs/heads/voted", commit));
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        // git ran Lode's reference-transaction hook, which called HookService with the transaction in its payload; this
        // server has no coordinator to vote with, so the prepared vote fails, git aborts the update and says so in a
        // second call (aborted, not voted on).
        Assert.Equal(["FailedPrecondition", "OK"], HookCallbacks(repo).Select(c => c.Fields["grpc.code"]?.ToString()));
        Assert.Null(await repo.TryRevParseAsync("refs/heads/voted"));
    }

    [Fact]
    public async Task UpdateReferences_MalformedTransactionMetadata_InvalidArgumentAndNothingChanged()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");

        using var call = server.Ref.UpdateReferences(new Metadata { { "gitaly-reference-transaction", "not base64!" } });
        var request = new UpdateReferencesRequest { Repository = ServerFixture.Proto(repo) };
        request.Updates.Add(U("refs/heads/voted", commit));
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Null(await repo.TryRevParseAsync("refs/heads/voted"));
    }

    private List<LogRecord> HookCallbacks(TestRepo repo) => server.Logs.AccessLog
        .Where(r => Equals(r.Fields.GetValueOrDefault("grpc.method"), "ReferenceTransactionHook") &&
            Equals(r.Fields.GetValueOrDefault("grpc.request.repoPath"), repo.RelativePath))
        .ToList();
}
