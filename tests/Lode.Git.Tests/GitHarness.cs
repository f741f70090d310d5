using Lode.Core.Configuration;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.TestKit;

namespace Lode.Git.Tests;

/// <summary>
/// One test's git layer: a temp dir, a process tracker of its own (so a leak check sees only this test's
/// children, although tests run in parallel), a command factory, and a timeout token so no test can hang.
/// Disposing it fails the test when a git child is still running.
/// </summary>
internal sealed class GitHarness : IAsyncDisposable
{
    private static readonly Lazy<Task<(string Path, GitVersion Version)>> Detected =
        new(() => GitCommandFactory.DetectAsync(new LodeOptions(), CancellationToken.None));

    private readonly CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));

    private GitHarness(string gitPath, GitVersion version)
    {
        Factory = new GitCommandFactory(gitPath, version, new LodeOptions(), Tracker);
    }

    public TempDirectory Temp { get; } = new();

    public ProcessTracker Tracker { get; } = new();

    public GitCommandFactory Factory { get; }

    /// <summary>Cancelled after two minutes: a hung test fails instead of blocking the run.</summary>
    public CancellationToken Token => timeout.Token;

    public static async Task<GitHarness> CreateAsync()
    {
        var (path, version) = await Detected.Value;
        return new GitHarness(path, version);
    }

    public Task<TestRepo> CreateRepoAsync(string objectFormat = "sha1", string name = "repo.git") =>
        TestRepo.CreateAsync(Temp.Combine(name), objectFormat, Temp.Path);

    public RepositoryPaths Paths(TestRepo repo) => new("default", Temp.Path, repo.RelativePath, repo.Path);

    public void AssertNoLeakedProcesses() => Assert.Equal(0, Tracker.Count);

    /// <summary>
    /// Fails the test if any git child is still running: every reader and cache a test makes is disposed before
    /// the harness (declared after it, so <c>await using</c> disposes it first), so a survivor is a leak.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var leaked = Tracker.Ids;
        // Leaked children must not outlive the test either way.
        await Tracker.KillAllAsync();
        Factory.Dispose();
        timeout.Dispose();
        Temp.Dispose();
        if (leaked.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("git processes leaked: " + string.Join(", ", leaked));
        }
    }
}
