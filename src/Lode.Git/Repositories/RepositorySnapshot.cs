using System.Text;
using Lode.Core.Storage;

namespace Lode.Git.Repositories;

/// <summary>
/// The tar stream of GetSnapshot (spec §9.5), made the way Gitaly's TarBuilder makes it: files picked by name, so a
/// snapshot works even of a corrupt repository. In order: <c>HEAD</c>, <c>packed-refs</c>, <c>refs/</c> and
/// <c>branches/</c> (directories and regular files; symlinks skipped), loose objects and <c>pack-*.pack|idx</c> files
/// anywhere under <c>objects/</c> (nothing else there, and no directory entries), <c>shallow</c>, then the object files of
/// every alternate object directory re-rooted under <c>objects/</c>. Left out on purpose, as in Gitaly: config, hooks,
/// logs, info, index files. Directories are walked in byte order of their names, as Go's filepath.Walk does.
/// </summary>
/// <remarks>
/// Names are handled as bytes end to end (a loose ref need not be UTF-8), through <see cref="RawFileSystem"/> and
/// <see cref="GnuTarWriter"/>. Files stream one at a time through the output, never loaded whole. Loose refs and packed
/// files are replaced by rename, never rewritten in place, so an open file keeps the size its header announced.
/// </remarks>
public static class RepositorySnapshot
{
    /// <summary>
    /// Writes the snapshot of <paramref name="repositoryPath"/> to <paramref name="output"/> (not closed). A top-level file
    /// that is a symlink, or any file that cannot be read, fails the snapshot with <see cref="SnapshotException"/>; what
    /// was written stays written. <paramref name="warn"/> hears about alternates that cannot be followed (they are then
    /// left out, as Gitaly does).
    /// </summary>
    public static async Task WriteAsync(string storageRoot, string repositoryPath, Stream output, Action<string, string> warn,
        CancellationToken cancellationToken)
    {
        var tar = new GnuTarWriter(output);
        var snapshot = new Builder(tar, cancellationToken);
        var root = Encoding.UTF8.GetBytes(repositoryPath);
        try
        {
            await snapshot.FileAsync(root, "HEAD"u8.ToArray());
            await snapshot.FileAsync(root, "packed-refs"u8.ToArray());
            await snapshot.TreeAsync(root, "refs"u8.ToArray(), objectsOnly: false);
            await snapshot.TreeAsync(root, "branches"u8.ToArray(), objectsOnly: false);
            await snapshot.TreeAsync(root, "objects"u8.ToArray(), objectsOnly: true);
            await snapshot.FileAsync(root, "shallow"u8.ToArray());

            List<string> alternates;
            try
            {
                alternates = AlternateObjectDirectories.Resolve(storageRoot, repositoryPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                warn("error getting alternate object directories", e.Message);
                alternates = [];
            }

            foreach (var alternate in alternates)
            {
                await snapshot.WalkAsync(Encoding.UTF8.GetBytes(alternate), "objects"u8.ToArray(), objectsOnly: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The archive is left unfinished: the caller fails the call, so no end-of-archive marker is owed.
            throw new SnapshotException(e.Message, e);
        }

        await tar.FinishAsync(cancellationToken);
    }

    /// <summary>
    /// Loose objects (a two-hex-digit directory, then 38 or 62 hex digits) and pack data (<c>pack/pack-</c> + 40 or 64 hex,
    /// <c>.pack</c> or <c>.idx</c>): Gitaly's patterns, anchored at the end of the path.
    /// </summary>
    internal static bool IsObjectFile(ReadOnlySpan<byte> parent, ReadOnlySpan<byte> name)
    {
        if (parent.Length == 2 && IsHex(parent) && name.Length is 38 or 62 && IsHex(name))
        {
            return true;
        }

        if (!parent.SequenceEqual("pack"u8) || !name.StartsWith("pack-"u8))
        {
            return false;
        }

        var rest = name["pack-".Length..];
        var dot = rest.IndexOf((byte)'.');
        return dot is 40 or 64 && IsHex(rest[..dot]) && (rest[dot..].SequenceEqual(".pack"u8) || rest[dot..].SequenceEqual(".idx"u8));
    }

    private static bool IsHex(ReadOnlySpan<byte> text) => !text.ContainsAnyExcept(Objects.HexChars.Bytes);

    private static ReadOnlySpan<byte> LastComponent(ReadOnlySpan<byte> path) => path[(path.LastIndexOf((byte)'/') + 1)..];

    /// <summary>The state of one snapshot; a class so that the async steps can share it.</summary>
    private sealed class Builder(GnuTarWriter tar, CancellationToken cancellationToken)
    {
        private readonly (int Uid, int Gid) owner = RawFileSystem.EffectiveIds();

        /// <summary>
        /// A top-level file: skipped when absent; a symlink fails the snapshot (Gitaly opens these with O_NOFOLLOW); a
        /// directory in its place is archived as a bare directory entry, as Gitaly's TarBuilder does.
        /// </summary>
        public async Task FileAsync(byte[] root, byte[] name)
        {
            using var handle = RawFileSystem.Open(RawFileSystem.Join(root, name));
            if (handle is null)
            {
                return;
            }

            if ((File.GetAttributes(handle) & FileAttributes.Directory) != 0)
            {
                await DirectoryEntryAsync(handle, name);
                return;
            }

            await FileEntryAsync(handle, name);
        }

        /// <summary>A directory tree at the top level; a regular file in its place is archived as a file (when not objects-only).</summary>
        public async Task TreeAsync(byte[] root, byte[] name, bool objectsOnly)
        {
            var path = RawFileSystem.Join(root, name);
            switch (RawFileSystem.GetKind(path))
            {
                case RawFileSystem.EntryKind.Directory:
                    await WalkAsync(path, name, objectsOnly);
                    break;
                case RawFileSystem.EntryKind.RegularFile when !objectsOnly:
                    await RegularFileAsync(path, name);
                    break;
            }
        }

        /// <summary>A directory's entries in name order; with <paramref name="objectsOnly"/> only object files and no directory entries.</summary>
        public async Task WalkAsync(byte[] directory, byte[] entryName, bool objectsOnly)
        {
            if (!objectsOnly)
            {
                using var handle = RawFileSystem.Open(directory, directory: true);
                if (handle is null)
                {
                    return;
                }

                await DirectoryEntryAsync(handle, entryName);
            }

            var parent = LastComponent(directory).ToArray();
            foreach (var child in RawFileSystem.ListDirectory(directory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var childPath = RawFileSystem.Join(directory, child.Name);
                var childName = RawFileSystem.Join(entryName, child.Name);
                switch (child.Kind)
                {
                    case RawFileSystem.EntryKind.Directory:
                        await WalkAsync(childPath, childName, objectsOnly);
                        break;
                    case RawFileSystem.EntryKind.RegularFile when !objectsOnly || IsObjectFile(parent, child.Name):
                        await RegularFileAsync(childPath, childName);
                        break;
                    default:
                        // Symlinks and special files inside the walked trees are skipped, as Gitaly skips them.
                        break;
                }
            }
        }

        /// <summary>A regular file found by a walk; gone since the listing (a deleted ref, a repacked pack) means nothing to copy.</summary>
        private async Task RegularFileAsync(byte[] path, byte[] name)
        {
            using var handle = RawFileSystem.Open(path);
            if (handle is not null && (File.GetAttributes(handle) & FileAttributes.Directory) == 0)
            {
                await FileEntryAsync(handle, name);
            }
        }

        private async Task FileEntryAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] name)
        {
            var size = RandomAccess.GetLength(handle);
            using var content = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            await tar.WriteFileAsync(name, (int)File.GetUnixFileMode(handle), owner.Uid, owner.Gid,
                File.GetLastWriteTimeUtc(handle), size, content, cancellationToken);
        }

        private Task DirectoryEntryAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] name) =>
            tar.WriteDirectoryAsync([.. name, (byte)'/'], (int)File.GetUnixFileMode(handle), owner.Uid, owner.Gid,
                File.GetLastWriteTimeUtc(handle), cancellationToken);
    }
}
