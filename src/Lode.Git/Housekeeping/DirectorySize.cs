namespace Lode.Git.Housekeeping;

/// <summary>
/// Disk usage the way Gitaly's RepositorySize, GetObjectDirectorySize and RepositoryInfo compute it: the sum of the
/// apparent sizes of the regular files below a directory. Symbolic links are neither followed nor counted, and files
/// that vanish during the walk are skipped. Callers answering in KiB divide by 1024 (rounding down), as Gitaly does.
/// </summary>
internal static class DirectorySize
{
    /// <summary>Total bytes of regular files below <paramref name="path"/>; 0 when it does not exist.</summary>
    public static long Bytes(string path, CancellationToken cancellationToken = default)
    {
        long total = 0;
        foreach (var entry in FileWalk.Entries(path, recursive: true))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.Kind == FileEntryKind.File)
            {
                total += entry.Length;
            }
        }

        return total;
    }
}
