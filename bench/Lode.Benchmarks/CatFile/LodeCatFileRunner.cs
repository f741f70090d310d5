using Lode.Core.Storage;
using Lode.Git.CatFile;
using Lode.Git.Objects;

namespace Lode.Benchmarks.CatFile;

/// <summary>
/// Lode's side: a reader leased from the cache under one session id (so it stays warm between rounds, as between
/// the RPCs of one client), every commit read and parsed.
/// </summary>
internal sealed class LodeCatFileRunner(CatFileCache cache, RepositoryPaths repository, IReadOnlyList<string> commits)
{
    private const string SessionId = "bench-session";

    /// <summary>Sink for parse results so the JIT cannot drop the parsing.</summary>
    public long Checksum { get; private set; }

    /// <summary>All requests queued, one flush, answers read in order: one round trip.</summary>
    public async Task<long> QueueAsync(CancellationToken cancellationToken)
    {
        await using var lease = await cache.GetAsync(repository, SessionId, false, cancellationToken);
        using var queue = lease.Reader.CreateQueue();
        foreach (var commit in commits)
        {
            queue.RequestContents(commit);
        }

        queue.Flush();
        long parsed = 0;
        for (var i = 0; i < commits.Count; i++)
        {
            using var data = await queue.ReadObjectAsync(cancellationToken)
                ?? throw new InvalidOperationException("commit missing: " + commits[i]);
            Consume(CommitParser.Parse(data.Span));
            parsed++;
        }

        return parsed;
    }

    /// <summary>As <see cref="QueueAsync"/> without parsing: what the reader alone costs.</summary>
    public async Task<long> QueueNoParseAsync(CancellationToken cancellationToken)
    {
        await using var lease = await cache.GetAsync(repository, SessionId, false, cancellationToken);
        using var queue = lease.Reader.CreateQueue();
        foreach (var commit in commits)
        {
            queue.RequestContents(commit);
        }

        queue.Flush();
        long read = 0;
        for (var i = 0; i < commits.Count; i++)
        {
            using var data = await queue.ReadObjectAsync(cancellationToken)
                ?? throw new InvalidOperationException("commit missing: " + commits[i]);
            Checksum += data.Size;
            read++;
        }

        return read;
    }

    /// <summary>One request, one answer, N times: what a caller without the queue pays.</summary>
    public async Task<long> RoundTripAsync(CancellationToken cancellationToken)
    {
        await using var lease = await cache.GetAsync(repository, SessionId, false, cancellationToken);
        long parsed = 0;
        foreach (var commit in commits)
        {
            using var data = await lease.Reader.ReadAsync(commit, cancellationToken)
                ?? throw new InvalidOperationException("commit missing: " + commit);
            Consume(CommitParser.Parse(data.Span));
            parsed++;
        }

        return parsed;
    }

    private void Consume(ParsedCommit commit) =>
        Checksum += commit.ParentIds.Count + commit.Body.Length + (commit.Author?.Seconds ?? 0);
}
