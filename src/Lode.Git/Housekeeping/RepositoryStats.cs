namespace Lode.Git.Housekeeping;

/// <summary>
/// Collects <see cref="RepositoryStatsInfo"/> by looking at the repository's files directly, without starting git,
/// following Gitaly's <c>internal/git/stats</c>. The repository may change during the scan; files that disappear
/// are skipped, so the result is a best-effort snapshot, as Gitaly's is.
/// </summary>
internal static class RepositoryStats
{
    /// <summary>
    /// Loose objects last written longer ago than this are stale. Gitaly v16 uses 10 days (down from 14 in earlier
    /// releases), the same window its housekeeping gives unreachable objects before pruning them.
    /// </summary>
    public static readonly TimeSpan StaleObjectsGracePeriod = TimeSpan.FromDays(10);

    /// <summary>Gitaly touches this file after each full repack; its mtime is the last full repack time.</summary>
    public const string FullRepackTimestampFileName = ".gitaly-full-repack-timestamp";

    /// <param name="repositoryPath">Absolute path of the (bare) repository.</param>
    /// <param name="relativePath">The path relative to its storage, as the client sent it; decides IsObjectPool.</param>
    /// <param name="time">Clock for the stale cutoff.</param>
    /// <param name="cancellationToken">Checked between directory entries.</param>
    public static RepositoryStatsInfo Collect(string repositoryPath, string relativePath, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var objects = Path.Combine(repositoryPath, "objects");
        var staleCutoff = time.GetUtcNow() - StaleObjectsGracePeriod;

        var loose = LooseObjectStats.Read(objects, staleCutoff, cancellationToken);
        var packfiles = PackfileStats.Read(Path.Combine(objects, "pack"), cancellationToken);
        var references = ReferenceStats.Read(repositoryPath, cancellationToken);
        var commitGraph = CommitGraphStats.Read(objects);
        var alternates = AlternatesStats.Read(objects);
        var lastFullRepack = new FileInfo(Path.Combine(repositoryPath, FullRepackTimestampFileName));
        var size = DirectorySize.Bytes(repositoryPath, cancellationToken);

        return new RepositoryStatsInfo(
            Size: (ulong)size,
            References: references,
            LooseObjects: loose,
            Packfiles: packfiles,
            CommitGraph: commitGraph,
            Alternates: alternates,
            IsObjectPool: ObjectPoolPath.IsPoolPath(relativePath),
            LastFullRepack: lastFullRepack.Exists ? new DateTimeOffset(lastFullRepack.LastWriteTimeUtc, TimeSpan.Zero) : null);
    }
}
