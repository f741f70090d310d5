using Lode.Core.Storage;

namespace Lode.Git.Quarantine;

/// <summary>
/// A server-side object quarantine (spec §5.5): new objects are written to a folder in the storage's
/// <c>+gitaly/tmp</c> while the repository's own objects stay readable as alternates. Only when the hooks accept the
/// change are the objects migrated into the repository; otherwise disposing removes them, so a rejected write
/// leaves nothing behind. The folder's name carries the repository's <see cref="StorageDirectories.QuarantinePrefix"/>,
/// which is what lets requests name it as their object directory.
/// </summary>
public sealed class ObjectQuarantine : IDisposable
{
    private bool done;

    private ObjectQuarantine(RepositoryPaths repository, string path)
    {
        Repository = repository;
        Path = path;

        // Reads see the repository's objects and whatever the request itself already saw.
        var alternates = new List<string> { System.IO.Path.Combine(repository.FullPath, "objects") };
        if (repository.ObjectDirectory is { } objectDirectory)
        {
            alternates.Add(objectDirectory);
        }

        alternates.AddRange(repository.AlternateObjectDirectories ?? []);
        QuarantinedRepository = repository with { ObjectDirectory = path, AlternateObjectDirectories = alternates };
    }

    /// <summary>The repository the objects are meant for.</summary>
    public RepositoryPaths Repository { get; }

    /// <summary>The quarantine folder (absolute).</summary>
    public string Path { get; }

    /// <summary>The repository as git commands must see it so that new objects land in the quarantine.</summary>
    public RepositoryPaths QuarantinedRepository { get; }

    /// <summary>The quarantine folder relative to the repository, as <c>Repository.git_object_directory</c> carries it.</summary>
    public string RelativeObjectDirectory => System.IO.Path.GetRelativePath(Repository.FullPath, Path);

    /// <summary>The alternates relative to the repository, as <c>Repository.git_alternate_object_directories</c> carries them.</summary>
    public IReadOnlyList<string> RelativeAlternateObjectDirectories
    {
        get
        {
            var relative = new List<string>();
            foreach (var alternate in QuarantinedRepository.AlternateObjectDirectories ?? [])
            {
                relative.Add(System.IO.Path.GetRelativePath(Repository.FullPath, alternate));
            }

            return relative;
        }
    }

    public static ObjectQuarantine Create(RepositoryPaths repository)
    {
        var path = StorageDirectories.CreateTempDirectory(repository.StorageRoot, StorageDirectories.QuarantinePrefix(repository.RelativePath));
        return new ObjectQuarantine(repository, path);
    }

    /// <summary>
    /// Moves every object into the repository's object folder, as git's <c>tmp_objdir_migrate()</c>: hard links (a
    /// rename where links are not possible), never replacing an object that is already there; a pack's files in the
    /// order .keep, .pack, .rev, .idx, others, so that git never sees an index without its pack. Then the quarantine
    /// is removed.
    /// </summary>
    public void Migrate()
    {
        ObjectDisposedException.ThrowIf(done, this);
        MigrateDirectory(Path, System.IO.Path.Combine(Repository.FullPath, "objects"));
        done = true;
    }

    /// <summary>Removes the quarantine and whatever it holds unless it was migrated.</summary>
    public void Dispose()
    {
        if (done)
        {
            return;
        }

        done = true;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // Left for the +gitaly/tmp sweeper; it holds nothing reachable.
        }
    }

    private static void MigrateDirectory(string source, string target)
    {
        var entries = new List<FileSystemInfo>(new DirectoryInfo(source).EnumerateFileSystemInfos());
        entries.Sort(static (a, b) =>
        {
            var byPriority = CopyPriority(a.Name).CompareTo(CopyPriority(b.Name));
            return byPriority != 0 ? byPriority : string.CompareOrdinal(a.Name, b.Name);
        });

        var linked = false;
        foreach (var entry in entries)
        {
            var targetPath = System.IO.Path.Combine(target, entry.Name);
            if (entry is DirectoryInfo && entry.LinkTarget is null)
            {
                Directory.CreateDirectory(targetPath);
                MigrateDirectory(entry.FullName, targetPath);
                continue;
            }

            linked |= FinalizeObjectFile(entry.FullName, targetPath);
        }

        if (linked)
        {
            Fsync.Directory(target);
        }

        Directory.Delete(source);
    }

    /// <summary>Links (else renames) one file into place; an existing target is kept. True when a new entry was made.</summary>
    private static bool FinalizeObjectFile(string source, string target)
    {
        if (HardLink.TryCreate(source, target, out var exists))
        {
            File.Delete(source);
            return true;
        }

        if (exists)
        {
            File.Delete(source);
            return false;
        }

        try
        {
            File.Move(source, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(source);
            return false;
        }
    }

    /// <summary>Loose objects and other files first, then a pack's files in the order git needs them to appear.</summary>
    private static int CopyPriority(string name)
    {
        if (!name.StartsWith("pack", StringComparison.Ordinal))
        {
            return 0;
        }

        if (name.EndsWith(".keep", StringComparison.Ordinal))
        {
            return 1;
        }

        if (name.EndsWith(".pack", StringComparison.Ordinal))
        {
            return 2;
        }

        if (name.EndsWith(".rev", StringComparison.Ordinal))
        {
            return 3;
        }

        return name.EndsWith(".idx", StringComparison.Ordinal) ? 4 : 5;
    }
}
