using System.Formats.Tar;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Repositories;

namespace Lode.Git.Hooks;

/// <summary>
/// A repository's custom hooks as a tar archive whose root is <c>custom_hooks/</c> (GetCustomHooks/SetCustomHooks,
/// spec §8.6, also the <c>custom_hooks.tar</c> of backups). Gitaly runs tar(1); this reads and writes the format
/// itself, which lets every entry be checked before anything is written: no entry may leave <c>custom_hooks/</c>,
/// by its name or through a symlink.
/// </summary>
public static class CustomHooksArchive
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;

    /// <summary>
    /// Writes the archive of <c>&lt;repo&gt;/custom_hooks</c> to <paramref name="output"/>; nothing at all when the
    /// repository has none. Symlinks are archived as links, as tar does (a <c>custom_hooks</c> that is itself a link
    /// gives a single link entry).
    /// </summary>
    public static async Task WriteAsync(string repositoryPath, Stream output, CancellationToken cancellationToken)
    {
        var root = Path.Combine(repositoryPath, CustomHooks.DirectoryName);
        var info = new FileInfo(root);
        if (info.LinkTarget is null && !Directory.Exists(root) && !File.Exists(root))
        {
            return;
        }

        await using var tar = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        if (info.LinkTarget is not null || !Directory.Exists(root))
        {
            await tar.WriteEntryAsync(root, CustomHooks.DirectoryName, cancellationToken);
            return;
        }

        await WriteDirectoryAsync(tar, root, CustomHooks.DirectoryName + "/", cancellationToken);
    }

    private static async Task WriteDirectoryAsync(TarWriter tar, string path, string entryName, CancellationToken cancellationToken)
    {
        await tar.WriteEntryAsync(path, entryName, cancellationToken);
        var children = Directory.GetFileSystemEntries(path);
        Array.Sort(children, StringComparer.Ordinal);
        foreach (var child in children)
        {
            var name = entryName + Path.GetFileName(child);
            if (new FileInfo(child).LinkTarget is null && Directory.Exists(child))
            {
                await WriteDirectoryAsync(tar, child, name + "/", cancellationToken);
            }
            else
            {
                await tar.WriteEntryAsync(child, name, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Replaces the repository's custom hooks with those of the archive, atomically as Gitaly: the archive is unpacked
    /// into a fresh folder in <c>+gitaly/tmp</c>, synced, and renamed over <c>custom_hooks</c> (the old folder moves
    /// aside first), under <c>custom_hooks.lock</c>. An empty archive, or one without <c>custom_hooks/</c>, leaves an
    /// empty folder. INVALID_ARGUMENT for an entry that is not allowed; nothing changes then.
    /// </summary>
    public static async Task SetAsync(RepositoryPaths repository, Stream archive, CancellationToken cancellationToken)
    {
        var hooksPath = Path.Combine(repository.FullPath, CustomHooks.DirectoryName);
        using var hooksLock = RepositoryLock.Acquire(hooksPath);
        var temp = StorageDirectories.CreateTempDirectory(repository.StorageRoot, "custom-hooks-");
        try
        {
            var extracted = Path.Combine(temp, CustomHooks.DirectoryName);
            await ExtractAsync(archive, temp, cancellationToken);
            Directory.CreateDirectory(extracted);

            var previous = Path.Combine(temp, "previous_hooks");
            var isLink = new FileInfo(hooksPath).LinkTarget is not null;
            if (!isLink && Directory.Exists(hooksPath))
            {
                Directory.Move(hooksPath, previous);
            }
            else if (isLink || File.Exists(hooksPath))
            {
                File.Move(hooksPath, previous);
            }

            Fsync.Tree(extracted);
            Directory.Move(extracted, hooksPath);
            Fsync.Directory(repository.FullPath);
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
                // Left for the +gitaly/tmp sweeper.
            }
        }
    }

    /// <summary>
    /// Unpacks the <c>custom_hooks/</c> entries of <paramref name="archive"/> under <paramref name="destination"/>; other
    /// entries are skipped, as <c>tar -x … custom_hooks</c> does. Directories, regular files and symlinks that stay
    /// inside <c>custom_hooks/</c> are allowed; <c>..</c>, other entry types, and anything below a symlink are not.
    /// </summary>
    public static async Task ExtractAsync(Stream archive, string destination, CancellationToken cancellationToken)
    {
        // No data at all is an empty archive (a repository without hooks), not a truncated one.
        var first = new byte[1];
        if (await archive.ReadAsync(first, cancellationToken) == 0)
        {
            return;
        }

        var links = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = new TarReader(new PrefixedStream(first, archive), leaveOpen: true);
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
            {
                throw LodeException.InvalidArgument("reading custom hooks archive: " + e.Message);
            }

            if (entry is null)
            {
                return;
            }

            var name = Normalize(entry.Name);
            if (name != CustomHooks.DirectoryName && !name.StartsWith(CustomHooks.DirectoryName + "/", StringComparison.Ordinal))
            {
                continue;
            }

            if (name == CustomHooks.DirectoryName && entry.EntryType != TarEntryType.Directory)
            {
                throw Invalid("custom_hooks must be a directory", entry.Name);
            }

            for (var parent = ParentOf(name); parent is not null; parent = ParentOf(parent))
            {
                if (links.Contains(parent))
                {
                    throw Invalid("entry below a symlink", entry.Name);
                }
            }

            var path = Path.Combine(destination, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path);
                    File.SetUnixFileMode(path, (entry.Mode & PermissionBits) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
                    {
                        throw Invalid("entry replaces a directory or symlink", entry.Name);
                    }

                    await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(file, cancellationToken);
                        }
                    }

                    File.SetUnixFileMode(path, entry.Mode & PermissionBits);
                    break;
                case TarEntryType.SymbolicLink:
                    if (!StaysInside(name, entry.LinkName))
                    {
                        throw Invalid("symlink points outside custom_hooks", entry.Name);
                    }

                    if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
                    {
                        throw Invalid("symlink replaces an entry", entry.Name);
                    }

                    File.CreateSymbolicLink(path, entry.LinkName);
                    links.Add(name);
                    break;
                default:
                    throw Invalid("entry type not allowed", entry.Name).With("entry_type", entry.EntryType.ToString());
            }
        }
    }

    private static LodeException Invalid(string reason, string entryName) =>
        LodeException.InvalidArgument("invalid custom hooks archive: " + reason).With("entry", entryName);

    /// <summary>
    /// The entry name as tar extracts it: leading <c>/</c> and <c>.</c> components dropped. A <c>..</c> component is
    /// refused (GNU tar refuses it too).
    /// </summary>
    private static string Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == ".." || part.Contains('\0', StringComparison.Ordinal))
            {
                throw Invalid("entry escapes the archive root", name);
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private static string? ParentOf(string name)
    {
        var slash = name.LastIndexOf('/');
        return slash < 0 ? null : name[..slash];
    }

    /// <summary>A relative link target that, resolved from the link's folder, stays inside <c>custom_hooks/</c>.</summary>
    private static bool StaysInside(string linkName, string target)
    {
        if (target.Length == 0 || target.StartsWith('/') || target.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var stack = new List<string>(ParentOf(linkName)!.Split('/'));
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                stack.RemoveAt(stack.Count - 1);
                if (stack.Count == 0)
                {
                    return false;
                }

                continue;
            }

            stack.Add(part);
        }

        return stack.Count > 0 && stack[0] == CustomHooks.DirectoryName;
    }
}
