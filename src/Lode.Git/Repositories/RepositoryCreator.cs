using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Git.Repositories;

/// <summary>
/// Creates a repository atomically (spec §9.3): it is built and seeded in <c>+gitaly/tmp</c>, synced to disk, and
/// only then renamed into place under the repository lock. A crash or failure at any point leaves either no
/// repository or a complete one, never a half-initialised folder that looks like a repository.
/// </summary>
public static class RepositoryCreator
{
    /// <summary>
    /// Runs <c>git init --bare</c> in a staging folder, lets <paramref name="seed"/> fill it, and moves it into
    /// place. ALREADY_EXISTS if the target exists before or after staging.
    /// </summary>
    public static async Task CreateAsync(
        GitCommandFactory git,
        RepositoryPaths target,
        string? initialBranch,
        string? objectFormat,
        Func<RepositoryPaths, CancellationToken, Task>? seed,
        CancellationToken cancellationToken)
    {
        if (Exists(target.FullPath))
        {
            throw LodeException.AlreadyExists("repository exists already");
        }

        var staging = StorageDirectories.CreateTempDirectory(target.StorageRoot, "repository-");
        try
        {
            var init = git.Create(null, GitSubcommand.Init).Flags("--bare", "--quiet");
            if (!string.IsNullOrEmpty(initialBranch))
            {
                init.Flag("--initial-branch=" + initialBranch);
            }

            if (!string.IsNullOrEmpty(objectFormat))
            {
                init.Flag("--object-format=" + objectFormat);
            }

            await init.Arg(staging).RunAsync(cancellationToken);

            if (seed is not null)
            {
                var stagingRelative = Path.GetRelativePath(target.StorageRoot, staging);
                await seed(target with { RelativePath = stagingRelative, FullPath = staging }, cancellationToken);
            }

            Fsync.Tree(staging);
            var parent = Path.GetDirectoryName(target.FullPath)!;
            Directory.CreateDirectory(parent);
            using (RepositoryLock.Acquire(target.FullPath))
            {
                // Re-check under the lock: a concurrent create may have won while we were staging.
                if (Exists(target.FullPath))
                {
                    throw LodeException.AlreadyExists("repository exists already");
                }

                Directory.Move(staging, target.FullPath);
                Fsync.Directory(parent);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path);
}
