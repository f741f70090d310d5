namespace Lode.Git.Housekeeping;

/// <summary>
/// Everything RepositoryInfo reports about a repository's on-disk state, mirroring <c>RepositoryInfoResponse</c>
/// without protobuf types. A null part means the file behind it does not exist; Gitaly then leaves the message unset.
/// </summary>
/// <param name="Size">Bytes of all regular files in the repository directory.</param>
/// <param name="References">Loose/packed reference storage.</param>
/// <param name="LooseObjects">The raw loose-object scan.</param>
/// <param name="Packfiles">The raw <c>objects/pack</c> scan, with the bitmap and multi-pack-index.</param>
/// <param name="CommitGraph">The commit-graph, if any.</param>
/// <param name="Alternates">The alternates file, if any.</param>
/// <param name="IsObjectPool">Whether the relative path is an object pool's.</param>
/// <param name="LastFullRepack">mtime of <c>.gitaly-full-repack-timestamp</c>, if present.</param>
internal sealed record RepositoryStatsInfo(
    ulong Size,
    ReferenceStats References,
    LooseObjectStats LooseObjects,
    PackfileStats Packfiles,
    CommitGraphStats? CommitGraph,
    AlternatesStats? Alternates,
    bool IsObjectPool,
    DateTimeOffset? LastFullRepack)
{
    /// <summary>The <c>objects</c> message (computed, so it stays right after a <c>with</c> copy).</summary>
    public ObjectStats Objects => ObjectStats.From(LooseObjects, Packfiles);

    /// <summary>The <c>bitmap</c> message: the packfile bitmap.</summary>
    public BitmapStats? Bitmap => Packfiles.Bitmap;

    /// <summary>The <c>multi_pack_index</c> message.</summary>
    public MultiPackIndexStats? MultiPackIndex => Packfiles.MultiPackIndex;

    /// <summary>The <c>multi_pack_index_bitmap</c> message.</summary>
    public BitmapStats? MultiPackIndexBitmap => Packfiles.MultiPackIndexBitmap;
}
