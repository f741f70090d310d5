using System.Text;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.TestKit;

namespace Lode.Git.Tests.Refs;

public sealed class RefTransactionTests
{
    private static Task<RefTransaction> StartAsync(GitHarness git, TestRepo repo, RefTransactionOptions? options = null) =>
        RefTransaction.StartAsync(git.Factory, git.Paths(repo), repo.ObjectFormat == "sha256" ? ObjectFormat.Sha256 : ObjectFormat.Sha1,
            options, git.Token);

    private static Task<string[]> RefsAsync(TestRepo repo) => repo.GitLinesAsync("for-each-ref", "--format=%(refname) %(objectname)");

    private static void AssertNoLockFiles(TestRepo repo) =>
        Assert.Empty(Directory.EnumerateFiles(repo.Path, "*.lock", SearchOption.AllDirectories));

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task Commit_CreateUpdateDelete_AllApplied(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var a = await repo.CommitAsync(branch: "main");
        var b = await repo.CommitAsync(branch: "gone");

        await using (var tx = await StartAsync(git, repo))
        {
            await tx.CreateAsync("refs/heads/new"u8.ToArray(), a, git.Token);
            await tx.UpdateAsync("refs/heads/main"u8.ToArray(), b, a, git.Token);
            await tx.DeleteAsync("refs/heads/gone"u8.ToArray(), b, git.Token);
            await tx.PrepareAsync(git.Token);
            await tx.CommitAsync(git.Token);
        }

        Assert.Equal([$"refs/heads/main {b}", $"refs/heads/new {a}"], await RefsAsync(repo));
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task Dispose_WithoutCommit_AbortsAndReleasesLocks()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "main");
        var b = await repo.CommitAsync(branch: "");
        var before = await RefsAsync(repo);

        await using (var tx = await StartAsync(git, repo))
        {
            await tx.UpdateAsync("refs/heads/main"u8.ToArray(), b, a, git.Token);
            await tx.CreateAsync("refs/heads/other"u8.ToArray(), b, git.Token);
            await tx.PrepareAsync(git.Token);
            Assert.True(File.Exists(Path.Combine(repo.Path, "refs", "heads", "main.lock")));
        }

        Assert.Equal(before, await RefsAsync(repo));
        AssertNoLockFiles(repo);
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task Prepare_ConcurrentTransactionHoldsRef_ReferenceLockedThenSucceeds()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "main");
        var b = await repo.CommitAsync(branch: "");

        await using var first = await StartAsync(git, repo);
        await first.UpdateAsync("refs/heads/main"u8.ToArray(), b, a, git.Token);
        await first.PrepareAsync(git.Token);

        await using (var second = await StartAsync(git, repo))
        {
            await second.UpdateAsync("refs/heads/main"u8.ToArray(), b, a, git.Token);
            var e = await Assert.ThrowsAsync<RefTransactionException>(() => second.PrepareAsync(git.Token));
            Assert.Equal(RefTransactionErrorKind.ReferenceLocked, e.Kind);
            Assert.Equal("refs/heads/main"u8.ToArray(), e.ReferenceName);
            Assert.Equal("reference is already locked", e.Message);

            // The failed transaction stays failed.
            await Assert.ThrowsAsync<RefTransactionException>(() => second.CommitAsync(git.Token));
        }

        await first.CommitAsync(git.Token);
        Assert.Equal(b, (await repo.RevParseAsync("refs/heads/main")).Trim());
    }

    [Fact]
    public async Task Commit_OldValueMismatch_MismatchingStateAndNothingChanged()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "main");
        var b = await repo.CommitAsync(branch: "");
        var before = await RefsAsync(repo);

        await using var tx = await StartAsync(git, repo);
        await tx.CreateAsync("refs/heads/fine"u8.ToArray(), a, git.Token);
        await tx.UpdateAsync("refs/heads/main"u8.ToArray(), a, b, git.Token);
        var e = await Assert.ThrowsAsync<RefTransactionException>(() => tx.CommitAsync(git.Token));

        Assert.Equal(RefTransactionErrorKind.MismatchingState, e.Kind);
        Assert.Equal("refs/heads/main", e.ReferenceNameText);
        Assert.Equal(b, e.ExpectedObjectId);
        Assert.Equal(a, e.ActualObjectId);
        Assert.Equal(before, await RefsAsync(repo));
        AssertNoLockFiles(repo);
    }

    [Fact]
    public async Task Failures_EachKindRecognised()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "main");
        var tree = (await repo.GitAsync("show", "-s", "--format=%T", a)).Trim();
        var missing = new string('1', 40);

        async Task<RefTransactionException> FailAsync(params (string Ref, string New, string? Old)[] updates)
        {
            await using var tx = await StartAsync(git, repo);
            return await Assert.ThrowsAsync<RefTransactionException>(async () =>
            {
                foreach (var (reference, newOid, oldOid) in updates)
                {
                    await tx.UpdateAsync(Encoding.UTF8.GetBytes(reference), newOid, oldOid, git.Token);
                }

                await tx.CommitAsync(git.Token);
            });
        }

        Assert.Equal(RefTransactionErrorKind.InvalidFormat, (await FailAsync(("refs/heads/a..b", a, null))).Kind);
        Assert.Equal(RefTransactionErrorKind.NonExistentObject, (await FailAsync(("refs/heads/x", missing, null))).Kind);
        Assert.Equal(RefTransactionErrorKind.NonCommitObject, (await FailAsync(("refs/heads/x", tree, null))).Kind);
        Assert.Equal(RefTransactionErrorKind.ReferenceAlreadyExists, (await FailAsync(("refs/heads/main", a, new string('0', 40)))).Kind);
        Assert.Equal(RefTransactionErrorKind.FileDirectoryConflict, (await FailAsync(("refs/heads/main/sub", a, null))).Kind);
        Assert.Equal(RefTransactionErrorKind.InTransactionConflict, (await FailAsync(("refs/heads/p", a, null), ("refs/heads/p/c", a, null))).Kind);
        Assert.Equal(RefTransactionErrorKind.MultipleUpdates, (await FailAsync(("refs/heads/q", a, null), ("refs/heads/q", a, null))).Kind);

        var nonExistent = await FailAsync(("refs/heads/x", missing, null));
        Assert.Equal("refs/heads/x", nonExistent.ReferenceNameText);
        Assert.Equal(missing, nonExistent.ObjectId);
        Assert.Equal(["refs/heads/main"], await repo.GitLinesAsync("for-each-ref", "--format=%(refname)"));
        AssertNoLockFiles(repo);
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task Prepare_LockedNonUtf8Ref_ReportsRawName()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "main");
        byte[] name = [.. "refs/heads/caf"u8.ToArray(), 0xe9];
        // Create the lock file with the raw byte name through git itself: a prepared transaction holds it.
        await using var holder = await StartAsync(git, repo);
        await holder.CreateAsync(name, a, git.Token);
        await holder.PrepareAsync(git.Token);

        await using var tx = await StartAsync(git, repo);
        await tx.CreateAsync(name, a, git.Token);
        var e = await Assert.ThrowsAsync<RefTransactionException>(() => tx.PrepareAsync(git.Token));

        Assert.Equal(RefTransactionErrorKind.ReferenceLocked, e.Kind);
        Assert.Equal(name, e.ReferenceName);
    }

    [Fact]
    public async Task Cancellation_AfterPrepare_AbortsAndReleasesLocks()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "main");
        var b = await repo.CommitAsync(branch: "");
        using var cancel = new CancellationTokenSource();

        await using (var tx = await RefTransaction.StartAsync(git.Factory, git.Paths(repo), ObjectFormat.Sha1, null, cancel.Token))
        {
            await tx.UpdateAsync("refs/heads/main"u8.ToArray(), b, a, cancel.Token);
            await tx.PrepareAsync(cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tx.CommitAsync(cancel.Token));
        }

        Assert.Equal(a, (await repo.RevParseAsync("refs/heads/main")).Trim());
        AssertNoLockFiles(repo);
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task ConfigureCommand_HooksPath_ReferenceTransactionHookRuns()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var a = await repo.CommitAsync(branch: "main");
        var hooks = git.Temp.Combine("hooks");
        Directory.CreateDirectory(hooks);
        var log = git.Temp.Combine("states");
        var hook = Path.Combine(hooks, "reference-transaction");
        await File.WriteAllTextAsync(hook, $"#!/bin/sh\necho \"$1 $(cat)\" >> '{log}'\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new RefTransactionOptions { ConfigureCommand = command => command.Config("core.hooksPath", hooks) };

        await using (var tx = await StartAsync(git, repo, options))
        {
            await tx.CreateAsync("refs/heads/new"u8.ToArray(), a, git.Token);
            await tx.CommitAsync(git.Token);
        }

        var zero = new string('0', 40);
        Assert.Equal([$"prepared {zero} {a} refs/heads/new", $"committed {zero} {a} refs/heads/new"], await File.ReadAllLinesAsync(log));
    }
}
