namespace Lode.Git.Housekeeping;

/// <summary>
/// The contents of <c>objects/pack</c>: packfiles and their metadata files, the pack bitmap and the multi-pack-index.
/// </summary>
/// <param name="Count">All packfiles, kept and cruft ones included.</param>
/// <param name="Size">Bytes of all packfiles (the .pack files only), kept and cruft ones included.</param>
/// <param name="ReverseIndexCount">Pack reverse indexes (<c>pack-*.rev</c>).</param>
/// <param name="CruftCount">Cruft packs (with a <c>.mtimes</c> file): unreachable objects waiting for expiry.</param>
/// <param name="CruftSize">Bytes of the cruft packs.</param>
/// <param name="KeepCount">Packs protected by a <c>.keep</c> file. A kept cruft pack counts as kept only.</param>
/// <param name="KeepSize">Bytes of the kept packs.</param>
/// <param name="GarbageCount">Files git does not know here, e.g. <c>tmp_pack_*</c> left by a killed git.</param>
/// <param name="GarbageSize">Bytes of the garbage files.</param>
/// <param name="Bitmap">The packfile bitmap, if any.</param>
/// <param name="MultiPackIndex">The multi-pack-index, if any.</param>
/// <param name="MultiPackIndexBitmap">The multi-pack-index's bitmap, if any.</param>
internal sealed record PackfileStats(
    ulong Count,
    ulong Size,
    ulong ReverseIndexCount,
    ulong CruftCount,
    ulong CruftSize,
    ulong KeepCount,
    ulong KeepSize,
    ulong GarbageCount,
    ulong GarbageSize,
    BitmapStats? Bitmap,
    MultiPackIndexStats? MultiPackIndex,
    BitmapStats? MultiPackIndexBitmap)
{
    private const string PackPrefix = "pack-";
    private const string MultiPackIndexName = "multi-pack-index";

    /// <summary>Scans <paramref name="packPath"/> (<c>objects/pack</c>); a missing directory has no packs.</summary>
    public static PackfileStats Read(string packPath, CancellationToken cancellationToken)
    {
        var entries = new List<FileEntry>();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var mtimes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in FileWalk.Entries(packPath, recursive: false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            entries.Add(entry);
            if (entry.Name.StartsWith(PackPrefix, StringComparison.Ordinal))
            {
                // Metadata belongs to the pack with the same base name: pack-<hash>.keep -> pack-<hash>.pack.
                if (entry.Name.EndsWith(".keep", StringComparison.Ordinal))
                {
                    keep.Add(Path.ChangeExtension(entry.Name, ".pack"));
                }
                else if (entry.Name.EndsWith(".mtimes", StringComparison.Ordinal))
                {
                    mtimes.Add(Path.ChangeExtension(entry.Name, ".pack"));
                }
            }
        }

        ulong count = 0, size = 0, reverseIndexes = 0, cruftCount = 0, cruftSize = 0, keepCount = 0, keepSize = 0;
        ulong garbageCount = 0, garbageSize = 0;
        BitmapStats? bitmap = null, midxBitmap = null;
        MultiPackIndexStats? midx = null;
        foreach (var entry in entries)
        {
            var name = entry.Name;
            var length = (ulong)entry.Length;
            if (entry.Kind != FileEntryKind.File)
            {
                garbageCount++;
                continue;
            }

            if (IsPackFile(name, ".pack"))
            {
                count++;
                size += length;
                if (keep.Contains(name))
                {
                    keepCount++;
                    keepSize += length;
                }
                else if (mtimes.Contains(name))
                {
                    cruftCount++;
                    cruftSize += length;
                }
            }
            else if (IsPackFile(name, ".rev"))
            {
                reverseIndexes++;
            }
            else if (IsPackFile(name, ".bitmap"))
            {
                // git keeps a single pack bitmap; should several exist, the last one listed wins, as in Gitaly.
                bitmap = BitmapStats.Read(Path.Combine(packPath, name)) ?? bitmap;
            }
            else if (name == MultiPackIndexName)
            {
                midx = MultiPackIndexStats.Read(Path.Combine(packPath, name));
            }
            else if (name.StartsWith(MultiPackIndexName + "-", StringComparison.Ordinal)
                && name.EndsWith(".bitmap", StringComparison.Ordinal))
            {
                midxBitmap = BitmapStats.Read(Path.Combine(packPath, name)) ?? midxBitmap;
            }
            else if (IsPackFile(name, ".idx") || IsPackFile(name, ".keep") || IsPackFile(name, ".mtimes"))
            {
                // Every pack has an index; .keep and .mtimes were classified above.
            }
            else
            {
                // Gitaly only names the suffixes it reports on and counts everything else, including
                // multi-pack-index-*.rev and pack-*.promisor, as garbage.
                garbageCount++;
                garbageSize += length;
            }
        }

        return new PackfileStats(count, size, reverseIndexes, cruftCount, cruftSize, keepCount, keepSize,
            garbageCount, garbageSize, bitmap, midx, midxBitmap);
    }

    private static bool IsPackFile(string name, string suffix) =>
        name.StartsWith(PackPrefix, StringComparison.Ordinal) && name.EndsWith(suffix, StringComparison.Ordinal);
}
