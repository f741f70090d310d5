using Lode.Core.Configuration;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Prometheus;

namespace Lode.Git.CatFile;

/// <summary>
/// Pools <c>cat-file</c> processes between the RPCs of one client session (spec §5.4, Gitaly's ProcessCache).
/// </summary>
/// <remarks>
/// <para>Only requests with a session id reuse processes: a process that one user could leave in a bad state must
/// never serve another. Checkout is exclusive, so two concurrent requests of one session get two processes; when
/// both come back the later one replaces the earlier (counted as "duplicate").</para>
/// <para>A returned reader is kept with a fixed TTL, so entries are in expiry order and the sweep, every second,
/// only looks at the oldest. Over capacity the oldest is evicted. Readers are killed outside the lock, because
/// killing waits for the process to be reaped.</para>
/// </remarks>
public sealed class CatFileCache : IAsyncDisposable
{
    private readonly GitCommandFactory git;
    private readonly TimeSpan ttl;
    private readonly int capacity;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly LinkedList<Entry> entries = new();
    private readonly Dictionary<CatFileCacheKey, LinkedListNode<Entry>> index = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly Task sweeper;
    private bool disposed;

    public CatFileCache(GitCommandFactory git, LodeOptions options, IMetricFactory metricFactory)
        : this(git, options.Limits.CatfileCacheTtl, options.Git.CatfileCacheSize, TimeSpan.FromSeconds(1), metricFactory)
    {
    }

    internal CatFileCache(GitCommandFactory git, TimeSpan ttl, int capacity, TimeSpan sweepInterval,
        IMetricFactory metricFactory, TimeProvider? timeProvider = null)
    {
        this.git = git;
        this.ttl = ttl;
        // As Gitaly: a non-positive size means the default, not "no caching".
        this.capacity = capacity > 0 ? capacity : Defaults.CatfileCacheSize;
        time = timeProvider ?? TimeProvider.System;
        Metrics = new CatFileMetrics(metricFactory);
        sweeper = SweepAsync(sweepInterval);
    }

    public CatFileMetrics Metrics { get; }

    /// <summary>Idle processes held now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>
    /// A reader for <paramref name="repository"/>: a cached one of the same session when there is one, else a new
    /// process. Without a session id the process is killed when the lease is disposed.
    /// </summary>
    public async Task<CatFileLease> GetAsync(RepositoryPaths repository, string? sessionId, bool useMailmap,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed), this);
        if (string.IsNullOrEmpty(sessionId))
        {
            var own = await StartReaderAsync(repository, useMailmap, cancellationToken);
            return new CatFileLease(this, null, own, fromCache: false);
        }

        var key = new CatFileCacheKey(sessionId, repository.CacheKey, useMailmap);
        if (await CheckoutAsync(key) is { } cached)
        {
            Metrics.Hit.Inc();
            return new CatFileLease(this, key, cached, fromCache: true);
        }

        Metrics.Miss.Inc();
        // A cached process outlives this RPC, so it must not carry the RPC's ambient state (the CommandStats of its
        // access log line): start it with the execution context suppressed, as Gitaly detaches its context.
        Task<ObjectReader> start;
        using (ExecutionContext.SuppressFlow())
        {
            start = Task.Run(() => StartReaderAsync(repository, useMailmap, cancellationToken), cancellationToken);
        }

        return new CatFileLease(this, key, await start, fromCache: false);
    }

    /// <summary>Stops the sweep and kills every cached process. Leases returned later are killed too.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ObjectReader> all;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            all = new List<ObjectReader>(entries.Count);
            foreach (var entry in entries)
            {
                all.Add(entry.Reader);
            }

            entries.Clear();
            index.Clear();
        }

        await stopping.CancelAsync();
        await sweeper;
        Metrics.Members.Set(0);
        await CloseAllAsync(all);
        stopping.Dispose();
    }

    internal async ValueTask ReturnAsync(CatFileCacheKey? key, ObjectReader reader)
    {
        reader.EndLease();
        if (key is not { } cacheKey)
        {
            await CloseAsync(reader);
            return;
        }

        if (reader.IsDirty)
        {
            Metrics.Dirty.Inc();
            await CloseAsync(reader);
            return;
        }

        List<ObjectReader>? evicted = null;
        lock (gate)
        {
            if (disposed)
            {
                evicted = [reader];
            }
            else
            {
                if (index.Remove(cacheKey, out var existing))
                {
                    // Another request of the same session returned first; keep the newer process.
                    entries.Remove(existing);
                    (evicted ??= []).Add(existing.Value.Reader);
                    Metrics.Duplicate.Inc();
                }

                index[cacheKey] = entries.AddLast(new Entry(cacheKey, reader, time.GetUtcNow() + ttl));
                while (entries.Count > capacity)
                {
                    (evicted ??= []).Add(RemoveOldest());
                }

                Metrics.Members.Set(entries.Count);
            }
        }

        if (evicted is not null)
        {
            await CloseAllAsync(evicted);
        }
    }

    /// <summary>Takes the cached reader for <paramref name="key"/> out of the cache; a dead one is killed and skipped.</summary>
    private async ValueTask<ObjectReader?> CheckoutAsync(CatFileCacheKey key)
    {
        ObjectReader? reader;
        lock (gate)
        {
            if (!index.Remove(key, out var node))
            {
                return null;
            }

            entries.Remove(node);
            Metrics.Members.Set(entries.Count);
            reader = node.Value.Reader;
        }

        if (!reader.IsDirty)
        {
            return reader;
        }

        // git exited while cached (killed from outside, repository removed): not usable, so count a miss.
        await CloseAsync(reader);
        return null;
    }

    private async Task<ObjectReader> StartReaderAsync(RepositoryPaths repository, bool useMailmap, CancellationToken cancellationToken)
    {
        var reader = await ObjectReader.StartAsync(git, repository, useMailmap, Metrics, cancellationToken);
        Metrics.ProcessesTotal.Inc();
        Metrics.Processes.Inc();
        return reader;
    }

    private async ValueTask CloseAsync(ObjectReader reader)
    {
        await reader.DisposeAsync();
        Metrics.Processes.Dec();
    }

    private async ValueTask CloseAllAsync(List<ObjectReader> readers)
    {
        foreach (var reader in readers)
        {
            await CloseAsync(reader);
        }
    }

    private ObjectReader RemoveOldest()
    {
        var oldest = entries.First!;
        entries.RemoveFirst();
        index.Remove(oldest.Value.Key);
        return oldest.Value.Reader;
    }

    private async Task SweepAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                await EvictExpiredAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // DisposeAsync stopped the sweep.
        }
    }

    private async ValueTask EvictExpiredAsync()
    {
        List<ObjectReader>? expired = null;
        lock (gate)
        {
            var now = time.GetUtcNow();
            // The TTL is fixed, so entries are in expiry order: stop at the first one still alive.
            while (entries.First is { } first && first.Value.Expiry <= now)
            {
                (expired ??= []).Add(RemoveOldest());
            }

            if (expired is not null)
            {
                Metrics.Members.Set(entries.Count);
            }
        }

        if (expired is not null)
        {
            await CloseAllAsync(expired);
        }
    }

    private sealed record Entry(CatFileCacheKey Key, ObjectReader Reader, DateTimeOffset Expiry);
}
