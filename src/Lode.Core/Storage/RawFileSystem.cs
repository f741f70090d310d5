using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lode.Core.Storage;

/// <summary>
/// Lists directories and opens files by raw byte paths. git allows any byte but NUL and '/' in ref and file names,
/// while .NET decodes file names as UTF-8 and cannot open one that is not (its name comes back with U+FFFD), so code
/// that must see every file of a repository (snapshots) goes through libc here. Linux only, like Lode.
/// </summary>
public static partial class RawFileSystem
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;

    private const byte DtUnknown = 0;
    private const byte DtDir = 4;
    private const byte DtReg = 8;
    private const byte DtLnk = 10;

    /// <summary>Offsets in glibc's and musl's 64-bit <c>struct dirent</c>: d_ino (8), d_off (8), d_reclen (2), d_type, d_name.</summary>
    private const int DirentTypeOffset = 18;
    private const int DirentNameOffset = 19;

    /// <summary>What a directory entry is.</summary>
    public enum EntryKind
    {
        Other = 0,
        Directory,
        RegularFile,
        Symlink,
    }

    /// <summary>One directory entry: its name as stored, and its kind (never followed through a symlink).</summary>
    public readonly record struct Entry(byte[] Name, EntryKind Kind);

    /// <summary>
    /// The entries of the directory at <paramref name="path"/>, without <c>.</c> and <c>..</c>, sorted by name bytes (the
    /// order of Go's <c>filepath.Walk</c>). Throws <see cref="IOException"/> when the directory cannot be read.
    /// </summary>
    public static List<Entry> ListDirectory(ReadOnlySpan<byte> path)
    {
        var cpath = ToCString(path);
        var dir = OpenDir(cpath);
        if (dir == IntPtr.Zero)
        {
            throw Error("open", path, Marshal.GetLastPInvokeError());
        }

        var entries = new List<Entry>();
        try
        {
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var dirent = ReadDir(dir);
                if (dirent == IntPtr.Zero)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0)
                    {
                        throw Error("readdir", path, errno);
                    }

                    break;
                }

                var name = ReadName(dirent);
                if (name is [(byte)'.'] or [(byte)'.', (byte)'.'])
                {
                    continue;
                }

                var kind = Marshal.ReadByte(dirent, DirentTypeOffset) switch
                {
                    DtDir => EntryKind.Directory,
                    DtReg => EntryKind.RegularFile,
                    DtLnk => EntryKind.Symlink,
                    DtUnknown => Probe(Join(path, name)),
                    _ => EntryKind.Other,
                };
                entries.Add(new Entry(name, kind));
            }
        }
        finally
        {
            _ = CloseDir(dir);
        }

        entries.Sort(static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        return entries;
    }

    /// <summary>
    /// Opens a file or directory for reading without following a final symlink (<c>O_NOFOLLOW</c>). Null when nothing is
    /// there; <see cref="IOException"/> for a symlink ("too many levels of symbolic links") or any other failure.
    /// </summary>
    public static SafeFileHandle? Open(ReadOnlySpan<byte> path, bool directory = false)
    {
        var flags = ONoFollow | (directory ? ODirectory : 0);
        var fd = OpenFd(ToCString(path), flags);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == ENOENT ? null : throw Error("open", path, errno);
    }

    /// <summary>What is at <paramref name="path"/> (a final symlink is not followed); null when nothing is.</summary>
    public static EntryKind? GetKind(ReadOnlySpan<byte> path)
    {
        var cpath = ToCString(path);
        var fd = OpenFd(cpath, ONoFollow | ODirectory);
        if (fd >= 0)
        {
            _ = CloseFd(fd);
            return EntryKind.Directory;
        }

        return Marshal.GetLastPInvokeError() == ENOENT ? null : Probe(path.ToArray());
    }

    /// <summary>The owner the process creates files as, for archive headers.</summary>
    public static (int Uid, int Gid) EffectiveIds() => ((int)GetEuid(), (int)GetEgid());

    /// <summary><c>parent/name</c> as bytes.</summary>
    public static byte[] Join(ReadOnlySpan<byte> parent, ReadOnlySpan<byte> name)
    {
        var joined = new byte[parent.Length + 1 + name.Length];
        parent.CopyTo(joined);
        joined[parent.Length] = (byte)'/';
        name.CopyTo(joined.AsSpan(parent.Length + 1));
        return joined;
    }

    /// <summary>For file systems that do not report entry types: tells a directory, a regular file and a symlink apart by opening.</summary>
    private static EntryKind Probe(byte[] path)
    {
        var cpath = ToCString(path);
        var fd = OpenFd(cpath, ONoFollow | ODirectory);
        if (fd >= 0)
        {
            _ = CloseFd(fd);
            return EntryKind.Directory;
        }

        // Not a directory, or a symlink (the kernel may report either for a link opened with O_DIRECTORY): open it plainly.
        fd = OpenFd(cpath, ONoFollow | ONonBlock);
        if (fd >= 0)
        {
            _ = CloseFd(fd);
            return EntryKind.RegularFile;
        }

        return Marshal.GetLastPInvokeError() == ELOOP ? EntryKind.Symlink : EntryKind.Other;
    }

    private static byte[] ReadName(IntPtr dirent)
    {
        var length = 0;
        while (Marshal.ReadByte(dirent, DirentNameOffset + length) != 0)
        {
            length++;
        }

        var name = new byte[length];
        Marshal.Copy(dirent + DirentNameOffset, name, 0, length);
        return name;
    }

    private static byte[] ToCString(ReadOnlySpan<byte> path)
    {
        if (path.Contains((byte)0))
        {
            throw new IOException("path contains a NUL byte");
        }

        var cpath = new byte[path.Length + 1];
        path.CopyTo(cpath);
        return cpath;
    }

    private static IOException Error(string operation, ReadOnlySpan<byte> path, int errno)
    {
        var text = errno switch
        {
            ELOOP => "too many levels of symbolic links",
            ENOENT => "no such file or directory",
            ENOTDIR => "not a directory",
            13 => "permission denied",
            _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new IOException($"{operation} {System.Text.Encoding.UTF8.GetString(path)}: {text}");
    }

    /// <summary>So that probing a FIFO does not wait for a writer; the same value on x86-64 and arm64.</summary>
    private const int ONonBlock = 0x800;

    // O_NOFOLLOW and O_DIRECTORY differ between architectures; O_RDONLY is 0 everywhere.
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    private static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr OpenDir(byte[] path);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr ReadDir(IntPtr dir);

    [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int CloseDir(IntPtr dir);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int OpenFd(byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int CloseFd(int fd);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial uint GetEgid();
}
