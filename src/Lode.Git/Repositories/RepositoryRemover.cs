using Lode.Core.Errors;
using Lode.Core.Storage;

namespace Lode.Git.Repositories;

/// <summary>
/// Removes a repository in two steps (spec §12): an atomic rename into <c>+gitaly/tmp</c> under the repository lock,
/// then the recursive delete. A crash mid-delete leaves debris in tmp (swept later), never a half-deleted
/// repository at its path.
/// </summary>
public static class RepositoryRemover
{
    public static void Remove(RepositoryPaths repository)
    {
        if (!Directory.Exists(repository.FullPath))
        {
            throw LodeException.NotFound("repository does not exist");
        }

        var tmp = StorageDirectories.Tmp(repository.StorageRoot);
        Directory.CreateDirectory(tmp);
        var name = Path.GetFileName(repository.FullPath.TrimEnd('/'));
        var staged = Path.Combine(tmp, name[..Math.Min(name.Length, 200)] + "+removed-" + Guid.NewGuid().ToString("N")[..12]);

        using (RepositoryLock.Acquire(repository.FullPath))
        {
            if (!Directory.Exists(repository.FullPath))
            {
                throw LodeException.NotFound("repository was concurrently removed");
            }

            Directory.Move(repository.FullPath, staged);
            Fsync.Directory(Path.GetDirectoryName(repository.FullPath.TrimEnd('/'))!);
        }

        Directory.Delete(staged, recursive: true);
    }
}
