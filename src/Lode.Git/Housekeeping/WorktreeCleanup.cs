using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Git.Housekeeping;

/// <summary>
/// Gitaly's worktree cleanup, run before commands that walk all references (a bundle of <c>--all</c> also takes
/// every worktree's HEAD): worktrees under <c>gitlab-worktree/</c> untouched for six hours are removed, then git
/// forgets worktrees whose folders are gone. Nothing is spawned when the repository has no worktrees.
/// </summary>
public static class WorktreeCleanup
{
    /// <summary>The folder inside a repository where GitLab's temporary worktrees live.</summary>
    public const string WorktreeDirectory = "gitlab-worktree";

    /// <summary>Worktrees not modified for this long are stale.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(6);

    public static async Task CleanupAsync(GitCommandFactory git, RepositoryPaths repository, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var worktrees = Path.Combine(repository.FullPath, WorktreeDirectory);
        if (Directory.Exists(worktrees))
        {
            var threshold = time.GetUtcNow().UtcDateTime - StaleAfter;
            foreach (var entry in new DirectoryInfo(worktrees).EnumerateDirectories())
            {
                if (entry.LinkTarget is not null || entry.LastWriteTimeUtc >= threshold)
                {
                    continue;
                }

                var (exitCode, _, _) = await git.Create(repository, GitSubcommand.Worktree)
                    .Arg("remove").Flag("--force").Arg(entry.FullName)
                    .RunUncheckedAsync(cancellationToken);
                if (exitCode != 0 && entry.Exists)
                {
                    // git no longer knows the worktree (its metadata is gone): remove the folder itself.
                    entry.Delete(recursive: true);
                }
            }
        }

        if (Directory.Exists(Path.Combine(repository.FullPath, "worktrees")))
        {
            await git.Create(repository, GitSubcommand.Worktree).Arg("prune").RunAsync(cancellationToken);
        }
    }
}
