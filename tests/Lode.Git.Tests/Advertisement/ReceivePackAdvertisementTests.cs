using System.Globalization;
using System.Text;
using Lode.Core.Configuration;
using Lode.Core.Storage;
using Lode.Git.Advertisement;
using Lode.Git.Commands;
using Lode.TestKit;

namespace Lode.Git.Tests.Advertisement;

/// <summary>
/// The in-process advertisement must be byte for byte what <c>git receive-pack --advertise-refs --stateless-rpc</c>
/// writes, run with Lode's own config for receive-pack: each case runs git, lets the advertiser learn the capabilities
/// from that answer, then compares what it writes itself. Cases it must not take on are checked to go to git.
/// </summary>
public sealed class ReceivePackAdvertisementTests
{
    private static readonly KeyValuePair<string, string>[] NoConfig = [];

    [Fact]
    public async Task Prepare_EmptyRepository_CapabilitiesLineAgainstZeroId()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();

        var written = await AssertInProcessAsync(git, repo);

        Assert.Contains("capabilities^{}\0report-status", Encoding.ASCII.GetString(written), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_LooseAndPackedRefs_SameAsGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var first = await repo.CommitAsync();
        var second = await repo.CommitAsync();
        await repo.GitAsync("update-ref", "refs/heads/a/b", first);
        await repo.GitAsync("update-ref", "refs/heads/a-b", first);
        await repo.GitAsync("update-ref", "refs/heads/a.b", second);
        await repo.GitAsync("update-ref", "refs/heads/ünïcode/ß", first);
        await repo.GitAsync("tag", "v1.0", first);
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v2.0", second);
        await repo.GitAsync("update-ref", "refs/stash-like", second);
        await repo.GitAsync("pack-refs", "--all");

        // Loose refs after packing: new ones, and one that overrides its packed copy.
        await repo.GitAsync("update-ref", "refs/heads/a/b", second);
        await repo.GitAsync("update-ref", "refs/heads/z-loose", second);
        await repo.GitAsync("update-ref", "refs/tags/loose-tag", first);

        await AssertInProcessAsync(git, repo);
    }

    [Fact]
    public async Task Prepare_LargerThanTheChunkBuffer_SameAsGit()
    {
        // 3,000 refs with long names: about 300 KB, more than one 128 KiB chunk plus a packet of slack.
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        var input = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            input.Append(CultureInfo.InvariantCulture, $"create refs/heads/team-{i % 7}/feature-with-a-rather-long-descriptive-name-{i:D5} {commit}\n");
        }

        await repo.GitBytesAsync(["update-ref", "--stdin"], Encoding.UTF8.GetBytes(input.ToString()));
        await repo.GitAsync("pack-refs", "--all");

        var written = await AssertInProcessAsync(git, repo, chunkSize: 128 * 1024);

        Assert.True(written.Length > 128 * 1024 + 65520);
    }

    [Fact]
    public async Task Prepare_HiddenRefsLooseAndPacked_LeftOutAsGitDoes()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        string[] hidden =
        [
            "refs/keep-around/" + commit, "refs/merge-requests/1/head", "refs/pipelines/7", "refs/environments/prod/deployments/1",
            "refs/tmp/abc", "refs/remotes/origin/main",
        ];
        foreach (var name in hidden)
        {
            await repo.GitAsync("update-ref", name, commit);
        }

        await repo.GitAsync("pack-refs", "--all");
        foreach (var name in hidden)
        {
            await repo.GitAsync("update-ref", name + "-loose", commit);
        }

        // Not hidden: only a whole component matches a hidden prefix.
        await repo.GitAsync("update-ref", "refs/tmpx", commit);
        await repo.GitAsync("update-ref", "refs/merge-requests-not/1", commit);

        var written = Encoding.UTF8.GetString(await AssertInProcessAsync(git, repo));

        Assert.DoesNotContain("keep-around", written, StringComparison.Ordinal);
        Assert.Contains("refs/tmpx", written, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_LockAndDotFilesInRefs_SkippedAsGitDoes()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "refs", "heads", "main.lock"), commit + "\n");
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "refs", "heads", ".hidden"), commit + "\n");

        await AssertInProcessAsync(git, repo);
    }

    [Theory]
    [InlineData(GitProtocol.Version1)]
    [InlineData(GitProtocol.Version2)]
    public async Task Prepare_ProtocolVersions_SameAsGit(string protocol)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();

        var written = await AssertInProcessAsync(git, repo, protocol: protocol);

        // receive-pack has no v2: git falls back to v0 and writes no version line.
        Assert.Equal(protocol == GitProtocol.Version1, Encoding.ASCII.GetString(written).StartsWith("000eversion 1\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prepare_Sha256Repository_SameAsGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(objectFormat: "sha256");
        var commit = await repo.CommitAsync();
        await repo.GitAsync("update-ref", "refs/heads/other", commit);
        await repo.GitAsync("pack-refs", "--all");

        var written = await AssertInProcessAsync(git, repo);

        Assert.Contains("object-format=sha256", Encoding.ASCII.GetString(written), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_ObjectsInPacksAndLoose_SameAsGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        for (var i = 0; i < 20; i++)
        {
            await repo.CommitAsync(branch: "branch-" + i);
        }

        await repo.GitAsync("repack", "-a", "-d");
        await repo.CommitAsync(branch: "loose-only");

        await AssertInProcessAsync(git, repo);
    }

    [Fact]
    public async Task Prepare_ObjectsOnlyInAnAlternate_SameAsGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var pool = await git.CreateRepoAsync(name: "pool.git");
        var commit = await pool.CommitAsync();
        await pool.GitAsync("repack", "-a", "-d");
        var loose = await pool.CommitAsync(branch: "loose");
        var repo = await git.CreateRepoAsync(name: "fork.git");
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "objects", "info", "alternates"),
            "# the pool\n" + Path.GetRelativePath(Path.Combine(repo.Path, "objects"), Path.Combine(pool.Path, "objects")) + "\n");
        await repo.GitAsync("update-ref", "refs/heads/main", commit);
        await repo.GitAsync("update-ref", "refs/heads/loose", loose);

        await AssertInProcessAsync(git, repo);
    }

    [Fact]
    public async Task Prepare_RefToMissingObject_LeftToGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "refs", "heads", "dangling"), new string('7', 40) + "\n");

        await AssertLeftToGitAsync(git, repo);
    }

    [Fact]
    public async Task Prepare_SymbolicRefUnderRefs_LeftToGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();
        await repo.GitAsync("symbolic-ref", "refs/heads/alias", "refs/heads/main");

        await AssertLeftToGitAsync(git, repo);
    }

    [Fact]
    public async Task Prepare_PackedRefsWithoutFinalNewline_LeftToGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();
        await repo.GitAsync("pack-refs", "--all");
        var packedRefs = Path.Combine(repo.Path, "packed-refs");
        await File.WriteAllTextAsync(packedRefs, (await File.ReadAllTextAsync(packedRefs)).TrimEnd('\n'));

        using var advertiser = await LearnedAsync(git, repo);

        Assert.Null(advertiser.Prepare(git.Paths(repo), NoConfig, null).Ready);
    }

    [Theory]
    [InlineData("receive.advertiseAtomic", "false")]
    [InlineData("receive.hideRefs", "refs/heads/")]
    [InlineData("transfer.hideRefs", "refs/tags/")]
    [InlineData("transfer.advertiseSID", "true")]
    [InlineData("receive.certNonceSeed", "secret")]
    [InlineData("include.path", "/dev/null")]
    public async Task Prepare_RepositoryConfigThatChangesTheAdvertisement_LeftToGit(string key, string value)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();
        await repo.GitAsync("tag", "v1", "main");
        using var advertiser = await LearnedAsync(git, repo);
        await repo.GitAsync("config", key, value);

        var attempt = advertiser.Prepare(git.Paths(repo), NoConfig, null);

        Assert.Null(attempt.Ready);
        Assert.Null(attempt.Learner);
    }

    [Fact]
    public async Task Prepare_RequestConfig_AllowedKeysOnly()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();
        using var advertiser = await LearnedAsync(git, repo);

        Assert.NotNull(advertiser.Prepare(git.Paths(repo), [new("receive.maxInputSize", "1000")], null).Ready);
        Assert.NotNull(advertiser.Prepare(git.Paths(repo), [new("receive.fsck.badTimezone", "ignore")], null).Ready);
        Assert.Null(advertiser.Prepare(git.Paths(repo), [new("receive.advertisePushOptions", "false")], null).Ready);
        Assert.Null(advertiser.Prepare(git.Paths(repo), [new("transfer.hideRefs", "refs/heads")], null).Ready);
    }

    [Fact]
    public async Task Prepare_AdminConfigOutsideTheAllowlist_AlwaysLeftToGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();
        var options = new LodeOptions { Git = new GitOptions { Config = [new GitConfigEntry("receive.advertiseAtomic", "false")] } };
        using var advertiser = new ReceivePackAdvertisement(git.Factory, options);

        Assert.Equal(default, advertiser.Prepare(git.Paths(repo), NoConfig, null));
    }

    [Fact]
    public async Task Prepare_QuarantinedRepository_LeftToGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        await repo.CommitAsync();
        using var advertiser = await LearnedAsync(git, repo);
        var quarantined = git.Paths(repo) with { ObjectDirectory = Path.Combine(repo.Path, "objects", "incoming-x") };

        Assert.Equal(default, advertiser.Prepare(quarantined, NoConfig, null));
    }

    /// <summary>Learns from git, then checks the in-process answer equals git's; returns it.</summary>
    private static async Task<byte[]> AssertInProcessAsync(GitHarness git, TestRepo repo, string? protocol = null, int chunkSize = 64)
    {
        using var advertiser = await LearnedAsync(git, repo, protocol);
        var expected = await RunGitAsync(git, git.Paths(repo), protocol);

        var attempt = advertiser.Prepare(git.Paths(repo), NoConfig, protocol);

        Assert.NotNull(attempt.Ready);
        var written = Concat(attempt.Ready!.Chunks(chunkSize));
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(written));
        Assert.Equal(expected, written);
        return written;
    }

    private static async Task AssertLeftToGitAsync(GitHarness git, TestRepo repo)
    {
        using var advertiser = await LearnedAsync(git, repo);

        var attempt = advertiser.Prepare(git.Paths(repo), NoConfig, null);

        Assert.Null(attempt.Ready);
    }

    /// <summary>An advertiser that has seen git's answer for <paramref name="repo"/> once, as the server's first push does.</summary>
    private static async Task<ReceivePackAdvertisement> LearnedAsync(GitHarness git, TestRepo repo, string? protocol = null)
    {
        var advertiser = new ReceivePackAdvertisement(git.Factory, new LodeOptions());
        var fresh = await git.CreateRepoAsync(repo.ObjectFormat, name: "learn-" + Guid.NewGuid().ToString("N") + ".git");
        var attempt = advertiser.Prepare(git.Paths(fresh), NoConfig, protocol);
        Assert.Null(attempt.Ready);
        Assert.NotNull(attempt.Learner);
        attempt.Learner!.Observe(await RunGitAsync(git, git.Paths(fresh), protocol));
        attempt.Learner.Complete();
        return advertiser;
    }

    private static Task<byte[]> RunGitAsync(GitHarness git, RepositoryPaths paths, string? protocol) =>
        git.Factory.Create(paths, GitSubcommand.ReceivePack)
            .Flags("--stateless-rpc", "--advertise-refs")
            .Arg(paths.FullPath)
            .WithGitProtocol(protocol)
            .RunAsync(git.Token);

    private static byte[] Concat(IEnumerable<ReadOnlyMemory<byte>> chunks)
    {
        var all = new List<byte>();
        foreach (var chunk in chunks)
        {
            all.AddRange(chunk.ToArray());
        }

        return [.. all];
    }
}
