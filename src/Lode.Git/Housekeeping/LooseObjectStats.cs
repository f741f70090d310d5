using System.Buffers;

namespace Lode.Git.Housekeeping;

/// <summary>
/// Loose objects: the files in the 256 shard directories <c>objects/00</c> … <c>objects/ff</c>.
/// </summary>
/// <param name="Count">Loose objects, stale ones included.</param>
/// <param name="Size">Bytes of all loose objects, stale ones included.</param>
/// <param name="StaleCount">Objects last written before the grace-period cutoff: what a prune would remove if unreachable.</param>
/// <param name="StaleSize">Bytes of the stale objects.</param>
/// <param name="GarbageCount">Shard entries that are not object files, e.g. <c>tmp_obj_*</c> left by a killed git.</param>
/// <param name="GarbageSize">Bytes of the garbage files.</param>
internal sealed record LooseObjectStats(
    ulong Count,
    ulong Size,
    ulong StaleCount,
    ulong StaleSize,
    ulong GarbageCount,
    ulong GarbageSize)
{
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>Scans the shards below <paramref name="objectsPath"/>; objects written before <paramref name="staleCutoff"/> are stale.</summary>
    public static LooseObjectStats Read(string objectsPath, DateTimeOffset staleCutoff, CancellationToken cancellationToken)
    {
        var cutoff = staleCutoff.UtcDateTime;
        ulong count = 0, size = 0, staleCount = 0, staleSize = 0, garbageCount = 0, garbageSize = 0;
        for (var shard = 0; shard <= 0xff; shard++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var directory = Path.Combine(objectsPath, shard.ToString("x2"));
            foreach (var entry in FileWalk.Entries(directory, recursive: false))
            {
                var length = (ulong)entry.Length;
                if (entry.Kind != FileEntryKind.File || !IsObjectFileName(entry.Name))
                {
                    garbageCount++;
                    garbageSize += length;
                    continue;
                }

                count++;
                size += length;
                if (entry.LastWriteTimeUtc < cutoff)
                {
                    staleCount++;
                    staleSize += length;
                }
            }
        }

        return new LooseObjectStats(count, size, staleCount, staleSize, garbageCount, garbageSize);
    }

    /// <summary>
    /// The rest of an object id after its two-digit shard: 38 lower-case hex digits (SHA-1) or 62 (SHA-256). git only
    /// writes lower case, and tmp_obj_* names are never hex.
    /// </summary>
    internal static bool IsObjectFileName(string name) =>
        name.Length is 38 or 62 && !name.AsSpan().ContainsAnyExcept(LowerHex);
}
