using System.Runtime.InteropServices;

namespace Lode.Core.Storage;

/// <summary>
/// Flushes files and directory entries to disk. A rename is only durable once its parent directory is synced,
/// and .NET has no API to fsync a directory, so this calls libc directly.
/// </summary>
public static partial class Fsync
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;

    /// <summary>fsyncs a directory so that entries created, renamed or removed in it survive a crash.</summary>
    public static void Directory(string path)
    {
        var fd = Open(path, ORdOnly | ODirectory);
        if (fd < 0)
        {
            throw new IOException($"open {path} for fsync: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (FsyncFd(fd) != 0)
            {
                throw new IOException($"fsync {path}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>fsyncs a regular file's content.</summary>
    public static void File(string path)
    {
        using var handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>fsyncs every file and directory under <paramref name="root"/>, deepest first, then root itself.</summary>
    public static void Tree(string root)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File(file);
        }

        var dirs = System.IO.Directory.GetDirectories(root, "*", SearchOption.AllDirectories);
        Array.Sort(dirs, (a, b) => b.Length.CompareTo(a.Length));
        foreach (var dir in dirs)
        {
            Directory(dir);
        }

        Directory(root);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Close(int fd);
}
