namespace Lode.Git.Housekeeping;

/// <summary>
/// The object database summary of RepositoryInfo (<c>RepositoryInfoResponse.ObjectsInfo</c>), derived from the
/// loose-object and packfile scans the way Gitaly derives it.
/// </summary>
/// <param name="Size">Loose objects plus packfiles, in bytes.</param>
/// <param name="RecentSize">Bytes that are not stale: loose objects within the grace period and non-cruft packs.</param>
/// <param name="StaleSize">Bytes waiting for expiry: stale loose objects and cruft packs.</param>
/// <param name="KeepSize">Bytes of kept packs (they are part of <paramref name="Size"/> and <paramref name="RecentSize"/> too).</param>
internal sealed record ObjectStats(
    ulong Size,
    ulong RecentSize,
    ulong StaleSize,
    ulong KeepSize,
    ulong PackfileCount,
    ulong ReverseIndexCount,
    ulong CruftCount,
    ulong KeepCount,
    ulong LooseObjectsCount,
    ulong StaleLooseObjectsCount,
    ulong LooseObjectsGarbageCount)
{
    public static ObjectStats From(LooseObjectStats loose, PackfileStats packfiles) => new(
        Size: loose.Size + packfiles.Size,
        RecentSize: (loose.Size - loose.StaleSize) + (packfiles.Size - packfiles.CruftSize),
        StaleSize: loose.StaleSize + packfiles.CruftSize,
        KeepSize: packfiles.KeepSize,
        PackfileCount: packfiles.Count,
        ReverseIndexCount: packfiles.ReverseIndexCount,
        CruftCount: packfiles.CruftCount,
        KeepCount: packfiles.KeepCount,
        LooseObjectsCount: loose.Count,
        StaleLooseObjectsCount: loose.StaleCount,
        LooseObjectsGarbageCount: loose.GarbageCount);
}
