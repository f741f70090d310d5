using Lode.TestKit;

namespace Lode.EndToEnd.Tests;

/// <summary>
/// Clone, fetch and push scenarios run with the real git client through one transport (the front door, or
/// <c>lode ssh</c> in one of its modes). Every answer is checked against the server's repository with git.
/// </summary>
public abstract class TransportScenarios(EndToEndFixture server)
{
    protected EndToEndFixture Server => server;

    /// <summary>The remote URL git uses for <paramref name="repo"/>.</summary>
    protected abstract string Remote(TestRepo repo);

    /// <summary>Environment git needs for this transport (GIT_SSH_COMMAND and its settings).</summary>
    protected abstract IReadOnlyDictionary<string, string> Env { get; }

    [Theory]
    [InlineData("0", "sha1")]
    [InlineData("2", "sha1")]
    [InlineData("2", "sha256")]
    public async Task Clone_Branches_SameRefsAsServer(string protocol, string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["README.md"] = "hello\n", ["big.bin"] = Bytes(3 * 1024 * 1024) });
        await repo.CommitAsync();
        await repo.CommitAsync("feature");
        using var work = new TempDirectory();

        await CloneAsync(repo, work.Path, protocol);

        var clone = work.Combine("clone");
        Assert.Equal(await repo.GitAsync("rev-parse", "refs/heads/main"), await Git.OkAsync(clone, null, "rev-parse", "HEAD"));
        Assert.Equal(await repo.GitAsync("rev-parse", "refs/heads/feature"), await Git.OkAsync(clone, null, "rev-parse", "origin/feature"));
        await Git.OkAsync(clone, null, "fsck", "--no-progress");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public async Task Fetch_NewServerCommits_UpToDate(string protocol)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        using var work = new TempDirectory();
        await CloneAsync(repo, work.Path, protocol);
        var clone = work.Combine("clone");
        var next = await repo.CommitAsync();
        var tag = await repo.CommitAsync("topic");
        await repo.GitAsync("tag", "v2", tag);

        await Git.OkAsync(clone, Env, "-c", "protocol.version=" + protocol, "fetch", "--tags", "origin");

        Assert.Equal(next, await Git.OkAsync(clone, null, "rev-parse", "origin/main"));
        Assert.Equal(tag, await Git.OkAsync(clone, null, "rev-parse", "origin/topic"));
        Assert.Equal(tag, await Git.OkAsync(clone, null, "rev-parse", "v2"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public async Task Push_NewBranchForcePushAndDelete_ServerFollows(string protocol)
    {
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync();
        using var work = new TempDirectory();
        await CloneAsync(repo, work.Path, protocol);
        var clone = work.Combine("clone");
        var env = Env;
        var pc = "protocol.version=" + protocol;

        await Git.OkAsync(clone, null, "checkout", "-q", "-b", "topic");
        var first = await Git.CommitFileAsync(clone, "topic.txt", "one\n", "topic one");
        await Git.OkAsync(clone, env, "-c", pc, "push", "-q", "origin", "topic");
        Assert.Equal(first, await repo.GitAsync("rev-parse", "refs/heads/topic"));

        await Git.OkAsync(clone, null, "commit", "-q", "--amend", "-m", "topic rewritten");
        var rewritten = await Git.OkAsync(clone, null, "rev-parse", "HEAD");
        var refused = await Git.RunAsync(clone, env, "-c", pc, "push", "origin", "topic");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Equal(first, await repo.GitAsync("rev-parse", "refs/heads/topic"));

        await Git.OkAsync(clone, env, "-c", pc, "push", "-q", "--force", "origin", "topic");
        Assert.Equal(rewritten, await repo.GitAsync("rev-parse", "refs/heads/topic"));

        await Git.OkAsync(clone, env, "-c", pc, "push", "-q", "origin", "--delete", "topic");
        Assert.Null(await repo.TryRevParseAsync("refs/heads/topic"));
        Assert.Equal(main, await repo.GitAsync("rev-parse", "refs/heads/main"));
        await repo.GitAsync("fsck", "--no-progress");
    }

    [Fact]
    public async Task Push_WithPushOptions_Accepted()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        using var work = new TempDirectory();
        await CloneAsync(repo, work.Path, "2");
        var clone = work.Combine("clone");
        var next = await Git.CommitFileAsync(clone, "file.txt", "content\n", "with options");

        await Git.OkAsync(clone, Env, "push", "-q", "-o", "ci.skip", "-o", "merge_request.create", "origin", "main");

        Assert.Equal(next, await repo.GitAsync("rev-parse", "refs/heads/main"));
    }

    [Fact]
    public async Task Push_IntoEmptyRepository_CreatesDefaultBranch()
    {
        var repo = await server.CreateRepoAsync();
        using var work = new TempDirectory();
        var local = work.Combine("local");
        await Git.OkAsync(work.Path, null, "init", "-q", "-b", "main", local);
        var commit = await Git.CommitFileAsync(local, "a.txt", "a\n", "first");

        await Git.OkAsync(local, Env, "push", "-q", Remote(repo), "main");

        Assert.Equal(commit, await repo.GitAsync("rev-parse", "refs/heads/main"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public async Task ShallowClone_ThenDeepen_HistoryArrivesInSteps(string protocol)
    {
        var repo = await server.CreateRepoAsync();
        for (var i = 0; i < 5; i++)
        {
            await repo.CommitAsync();
        }

        using var work = new TempDirectory();
        await CloneAsync(repo, work.Path, protocol, "--depth", "1");
        var clone = work.Combine("clone");
        var env = Env;
        var pc = "protocol.version=" + protocol;
        Assert.Equal("1", await Git.OkAsync(clone, null, "rev-list", "--count", "HEAD"));

        await Git.OkAsync(clone, env, "-c", pc, "fetch", "-q", "--deepen", "2", "origin");
        Assert.Equal("3", await Git.OkAsync(clone, null, "rev-list", "--count", "origin/main"));

        await Git.OkAsync(clone, env, "-c", pc, "fetch", "-q", "--unshallow", "origin");
        Assert.Equal("5", await Git.OkAsync(clone, null, "rev-list", "--count", "origin/main"));
        Assert.False(File.Exists(Path.Combine(clone, ".git", "shallow")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public async Task PartialClone_BlobsFetchedLazily(string protocol)
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["old.txt"] = "old content\n" });
        await repo.CommitAsync(files: new Dictionary<string, object> { ["new.txt"] = "new content\n" });
        using var work = new TempDirectory();

        await CloneAsync(repo, work.Path, protocol, "--filter=blob:none");

        var clone = work.Combine("clone");
        var oldBlob = await repo.GitAsync("rev-parse", "HEAD~1:old.txt");
        var missing = await Git.OkAsync(clone, null, "rev-list", "--objects", "--missing=print", "HEAD~1");
        Assert.Contains("?" + oldBlob, missing);

        var shown = await Git.OkAsync(clone, Env, "-c", "protocol.version=" + protocol, "show", "HEAD~1:old.txt");
        Assert.Equal("old content", shown);
        Assert.Equal("new content", (await File.ReadAllTextAsync(Path.Combine(clone, "new.txt"))).TrimEnd());
    }

    [Fact]
    public async Task ConcurrentPushes_ToOneBranch_OneWinsOtherRejected()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        using var work = new TempDirectory();
        var env = Env;
        string[] clones = [work.Combine("a"), work.Combine("b")];
        var commits = new string[2];
        for (var i = 0; i < 2; i++)
        {
            await Git.OkAsync(work.Path, env, "clone", "-q", Remote(repo), clones[i]);
            commits[i] = await Git.CommitFileAsync(clones[i], "race.txt", "writer " + i + "\n" + new string('x', 100_000 * (i + 1)), "writer " + i);
        }

        var runs = await Task.WhenAll(clones.Select(c => Git.RunAsync(c, env, "push", "origin", "main")));

        Assert.Single(runs, r => r.ExitCode == 0);
        var winner = Array.FindIndex(runs, r => r.ExitCode == 0);
        Assert.Equal(commits[winner], await repo.GitAsync("rev-parse", "refs/heads/main"));
        Assert.Matches("rejected|failed|fetch first|cannot lock", runs[1 - winner].Stderr);
        await repo.GitAsync("fsck", "--no-progress", "--strict");
    }

    protected async Task CloneAsync(TestRepo repo, string workDir, string protocol, params string[] extra) =>
        await Git.OkAsync(workDir, Env, ["-c", "protocol.version=" + protocol, "clone", "-q", .. extra, Remote(repo), "clone"]);

    protected static byte[] Bytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }
}
