using System.IO.Enumeration;

namespace Lode.Git.Housekeeping;

/// <summary>
/// Directory listing for the statistics code. Repositories change while we look at them (git writes and deletes
/// temporary files, prunes objects, swaps packs), so a missing directory yields nothing and an entry that vanishes
/// between readdir and stat is skipped, as Gitaly does. Symbolic links are never followed: .NET's recursive
/// enumeration would otherwise descend into a linked directory and count files outside the repository.
/// </summary>
internal static class FileWalk
{
    private static readonly EnumerationOptions Flat = new()
    {
        // The default skips Hidden, which on Unix means every dot file (e.g. .gitaly-full-repack-timestamp).
        AttributesToSkip = 0,
        IgnoreInaccessible = true,
        RecurseSubdirectories = false,
    };

    private static readonly EnumerationOptions Recursive = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = true,
        RecurseSubdirectories = true,
    };

    /// <summary>Entries of <paramref name="directory"/> (and below it when <paramref name="recursive"/>).</summary>
    public static IEnumerable<FileEntry> Entries(string directory, bool recursive)
    {
        IEnumerator<FileEntry?> enumerator;
        try
        {
            enumerator = new FileSystemEnumerable<FileEntry?>(directory, Transform, recursive ? Recursive : Flat)
            {
                ShouldRecursePredicate = static (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            }.GetEnumerator();
        }
        catch (Exception e) when (IsGone(e))
        {
            yield break;
        }

        using (enumerator)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = enumerator.MoveNext();
                }
                catch (Exception e) when (IsGone(e))
                {
                    // The directory itself was removed under us (e.g. an empty shard pruned by git).
                    more = false;
                }

                if (!more)
                {
                    yield break;
                }

                if (enumerator.Current is { } entry)
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="e"/> means "the path does not exist (any more)".</summary>
    public static bool IsGone(Exception e) => e is DirectoryNotFoundException or FileNotFoundException;

    private static FileEntry? Transform(ref FileSystemEntry entry)
    {
        var name = entry.FileName.ToString();
        if ((entry.Attributes & FileAttributes.ReparsePoint) != 0)
        {
            return new FileEntry(name, FileEntryKind.SymbolicLink, 0, default);
        }

        if (entry.IsDirectory)
        {
            return new FileEntry(name, FileEntryKind.Directory, 0, default);
        }

        // ToFileSystemInfo reuses the entry's stat result; a file deleted since readdir reports Exists == false
        // (FileSystemEntry.Length alone would silently read as 0).
        var info = (FileInfo)entry.ToFileSystemInfo();
        return info.Exists ? new FileEntry(name, FileEntryKind.File, info.Length, info.LastWriteTimeUtc) : null;
    }
}
