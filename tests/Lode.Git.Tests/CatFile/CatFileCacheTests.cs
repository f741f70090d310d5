using System.Diagnostics;
using Lode.Core.Configuration;
using Lode.Git.CatFile;
using Prometheus;

namespace Lode.Git.Tests.CatFile;

public sealed class CatFileCacheTests
{
    [Fact]
    public async Task GetAsync_SameSessionTwice_ReusesTheProcess()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var cache = CreateCache(git);

        int firstPid;
        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "session-1", false, git.Token))
        {
            firstPid = lease.Reader.ProcessId;
            Assert.False(lease.FromCache);
            Assert.NotNull(await lease.Reader.InfoAsync("HEAD", git.Token));
        }

        Assert.Equal(1, cache.Count);
        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "session-1", false, git.Token))
        {
            Assert.True(lease.FromCache);
            Assert.Equal(firstPid, lease.Reader.ProcessId);
            using var commit = await lease.Reader.ReadAsync("HEAD", git.Token);
            Assert.Equal(repo.Head, commit!.Oid);
            Assert.Equal(0, cache.Count);
        }

        Assert.Equal(1, Value(cache.Metrics.CacheTotal, "hit"));
        Assert.Equal(1, Value(cache.Metrics.CacheTotal, "miss"));
        Assert.Equal(1, cache.Metrics.ProcessesTotal.Value);
        Assert.Equal(1, cache.Metrics.Processes.Value);
        Assert.Equal(1, Value(cache.Metrics.CacheMembers, "object_reader"));
        Assert.Equal(1, Value(cache.Metrics.Lookups, "info"));
        Assert.Equal(1, Value(cache.Metrics.Lookups, "object"));
        await cache.DisposeAsync();
        Assert.Equal(0, cache.Metrics.Processes.Value);
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task GetAsync_DifferentSessionRepositoryOrMailmap_GetsAnotherProcess()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var other = await git.CreateRepoAsync(name: "other.git");
        await other.CommitAsync();
        await using var cache = CreateCache(git);
        await ReturnAsync(cache, git, repo.Repo, "a", false);

        var bySession = await ReturnAsync(cache, git, repo.Repo, "b", false);
        var byRepository = await ReturnAsync(cache, git, other, "a", false);
        var byMailmap = await ReturnAsync(cache, git, repo.Repo, "a", true);
        var again = await ReturnAsync(cache, git, repo.Repo, "a", false);

        Assert.False(bySession.FromCache || byRepository.FromCache || byMailmap.FromCache);
        Assert.True(again.FromCache);
        Assert.Equal(4, new HashSet<int> { again.Pid, bySession.Pid, byRepository.Pid, byMailmap.Pid }.Count);
        Assert.Equal(4, cache.Count);
        Assert.Equal(4, git.Tracker.Count);
        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task GetAsync_NoSessionId_ProcessKilledWhenLeaseEnds(string? sessionId)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var cache = CreateCache(git);

        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), sessionId, false, git.Token))
        {
            Assert.NotNull(await lease.Reader.InfoAsync("HEAD", git.Token));
            Assert.Equal(1, git.Tracker.Count);
        }

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, Value(cache.Metrics.CacheTotal, "miss"));
        Assert.Equal(0, cache.Metrics.Processes.Value);
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task GetAsync_ConcurrentLeasesOfOneSession_TwoProcessesAndDuplicateOnReturn()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var cache = CreateCache(git);
        var first = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token);
        var second = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token);
        Assert.NotEqual(first.Reader.ProcessId, second.Reader.ProcessId);

        await first.DisposeAsync();
        await second.DisposeAsync();

        Assert.Equal(1, Value(cache.Metrics.CacheTotal, "duplicate"));
        Assert.Equal(1, cache.Count);
        // The later return replaced the earlier one, whose process is gone.
        Assert.Equal(1, git.Tracker.Count);
        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            Assert.Equal(second.Reader.ProcessId, lease.Reader.ProcessId);
        }

        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task ReturnAsync_StreamDisposedHalfRead_ReaderKilledNotReused()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, largeSize: 1024 * 1024);
        await using var cache = CreateCache(git);

        int dirtyPid;
        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            dirtyPid = lease.Reader.ProcessId;
            await using var stream = await lease.Reader.OpenAsync(repo.LargeBlob, git.Token);
            Assert.Equal(1000, await stream!.ReadAtLeastAsync(new byte[1000], 1000, cancellationToken: git.Token));
        }

        Assert.Equal(1, Value(cache.Metrics.CacheTotal, "dirty"));
        Assert.Equal(0, cache.Count);
        git.AssertNoLeakedProcesses();
        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            Assert.NotEqual(dirtyPid, lease.Reader.ProcessId);
            Assert.NotNull(await lease.Reader.InfoAsync("HEAD", git.Token));
        }

        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task ReturnAsync_QueueLeftOpenButDrained_ReaderReused()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var cache = CreateCache(git);
        ObjectQueue queue;

        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            queue = lease.Reader.CreateQueue();
            queue.RequestInfo("HEAD");
            Assert.NotNull(await queue.ReadInfoAsync(git.Token));
        }

        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            Assert.True(lease.FromCache);
            Assert.NotNull(await lease.Reader.InfoAsync("HEAD", git.Token));
            // The abandoned queue was detached and cannot reach this lessee's process.
            Assert.Throws<ObjectDisposedException>(() => queue.RequestInfo("HEAD"));
        }

        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task Sweep_TtlExpired_ProcessKilled()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var cache = CreateCache(git, ttl: TimeSpan.FromMilliseconds(200), sweep: TimeSpan.FromMilliseconds(50));

        await ReturnAsync(cache, git, repo.Repo, "s", false);
        Assert.Equal(1, cache.Count);

        await ObjectReaderTests.WaitUntilAsync(() => cache.Count == 0 && git.Tracker.Count == 0);
        Assert.Equal(0, Value(cache.Metrics.CacheMembers, "object_reader"));
        Assert.Equal(0, cache.Metrics.Processes.Value);
        Assert.False((await ReturnAsync(cache, git, repo.Repo, "s", false)).FromCache);
        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task ReturnAsync_OverCapacity_OldestEvicted()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var cache = CreateCache(git, capacity: 2);

        var oldest = await ReturnAsync(cache, git, repo.Repo, "s1", false);
        await ReturnAsync(cache, git, repo.Repo, "s2", false);
        await ReturnAsync(cache, git, repo.Repo, "s3", false);

        Assert.Equal(2, cache.Count);
        Assert.Equal(2, git.Tracker.Count);
        Assert.DoesNotContain(oldest.Pid, git.Tracker.Ids);
        Assert.True((await ReturnAsync(cache, git, repo.Repo, "s3", false)).FromCache);
        Assert.False((await ReturnAsync(cache, git, repo.Repo, "s1", false)).FromCache);
        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task GetAsync_ReadCancelledMidRequest_ProcessKilledAndPoolHealthy()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var blocking = await BlockingObject.CreateAsync(repo.Repo);
        await using var cache = CreateCache(git);
        var healthy = await ReturnAsync(cache, git, repo.Repo, "other-session", false);

        int cancelledPid;
        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            cancelledPid = lease.Reader.ProcessId;
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lease.Reader.InfoAsync(blocking, cancel.Token));
            await ObjectReaderTests.WaitUntilAsync(() => lease.Reader.ProcessExited);
        }

        Assert.Equal(1, Value(cache.Metrics.CacheTotal, "dirty"));
        Assert.DoesNotContain(cancelledPid, git.Tracker.Ids);
        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            Assert.False(lease.FromCache);
            Assert.Equal(repo.Head, (await lease.Reader.InfoAsync("HEAD", git.Token))!.Oid);
        }

        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "other-session", false, git.Token))
        {
            Assert.Equal(healthy.Pid, lease.Reader.ProcessId);
        }

        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task GetAsync_CachedProcessDiedMeanwhile_StartsANewOne()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var cache = CreateCache(git);
        var first = await ReturnAsync(cache, git, repo.Repo, "s", false);

        using (var process = Process.GetProcessById(first.Pid))
        {
            process.Kill();
            await process.WaitForExitAsync(git.Token);
        }

        await using (var lease = await cache.GetAsync(git.Paths(repo.Repo), "s", false, git.Token))
        {
            Assert.False(lease.FromCache);
            Assert.NotEqual(first.Pid, lease.Reader.ProcessId);
            Assert.NotNull(await lease.Reader.InfoAsync("HEAD", git.Token));
        }

        Assert.Equal(2, Value(cache.Metrics.CacheTotal, "miss"));
        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task DisposeAsync_WithCachedAndLeasedReaders_KillsAll()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var cache = CreateCache(git);
        await ReturnAsync(cache, git, repo.Repo, "a", false);
        await ReturnAsync(cache, git, repo.Repo, "b", false);
        var outstanding = await cache.GetAsync(git.Paths(repo.Repo), "c", false, git.Token);

        await cache.DisposeAsync();
        Assert.Equal(1, git.Tracker.Count);
        await outstanding.DisposeAsync();

        Assert.Equal(0, cache.Count);
        git.AssertNoLeakedProcesses();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.GetAsync(git.Paths(repo.Repo), "a", false, git.Token));
    }

    [Fact]
    public async Task Constructor_FromOptions_UsesConfiguredLimits()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var options = new LodeOptions { Git = new GitOptions { CatfileCacheSize = 1 } };
        await using var cache = new CatFileCache(git.Factory, options, NewFactory());

        await ReturnAsync(cache, git, repo.Repo, "a", false);
        await ReturnAsync(cache, git, repo.Repo, "b", false);

        Assert.Equal(1, cache.Count);
        await cache.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    private static MetricFactory NewFactory() => Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());

    private static CatFileCache CreateCache(GitHarness git, TimeSpan? ttl = null, int capacity = 100, TimeSpan? sweep = null) =>
        new(git.Factory, ttl ?? TimeSpan.FromSeconds(30), capacity, sweep ?? TimeSpan.FromSeconds(1), NewFactory());

    /// <summary>Takes a lease, answers one request, and returns it.</summary>
    private static async Task<(int Pid, bool FromCache)> ReturnAsync(CatFileCache cache, GitHarness git,
        Lode.TestKit.TestRepo repo, string session, bool mailmap)
    {
        await using var lease = await cache.GetAsync(git.Paths(repo), session, mailmap, git.Token);
        Assert.NotNull(await lease.Reader.InfoAsync("HEAD", git.Token));
        return (lease.Reader.ProcessId, lease.FromCache);
    }

    private static double Value(Counter counter, string label) => counter.WithLabels(label).Value;

    private static double Value(Gauge gauge, string label) => gauge.WithLabels(label).Value;
}
