using System.Globalization;
using Lode.Benchmarks.Support;

namespace Lode.Benchmarks.Transport;

/// <summary>
/// The commits the push benchmark pushes, made beforehand with plumbing in a bare client repository that borrows the
/// benchmark repository's objects (alternates): a chain C1, C2, … on top of main, each adding one small file at the
/// top level (one blob, one root tree, one commit). Every target gets the same chain in the same order, so each
/// push is a fast-forward of main by one commit.
/// </summary>
internal sealed class PushCommits
{
    private PushCommits(string gitDir, IReadOnlyList<string> commits)
    {
        GitDir = gitDir;
        Commits = commits;
    }

    /// <summary>The client repository (<c>--git-dir=…</c> argument).</summary>
    public string GitDir { get; }

    public IReadOnlyList<string> Commits { get; }

    public static async Task<PushCommits> CreateAsync(string client, string sourceRepo, int count, CancellationToken cancellationToken)
    {
        var gitDir = "--git-dir=" + client;
        await GitProcess.RunAsync(["init", "--quiet", "--bare", client], cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(client, "objects", "info", "alternates"), Path.Combine(sourceRepo, "objects") + "\n",
            cancellationToken);

        var parent = (await GitProcess.OutputAsync(["--git-dir=" + sourceRepo, "rev-parse", "main"], cancellationToken)).Trim();
        var rootEntries = await GitProcess.OutputAsync([gitDir, "ls-tree", parent], cancellationToken);
        var commits = new List<string>(count);
        for (var i = 1; i <= count; i++)
        {
            var number = i.ToString(CultureInfo.InvariantCulture);
            var blob = (await GitProcess.OutputWithInputAsync([gitDir, "hash-object", "-w", "--stdin"], $"push {number}\n", cancellationToken)).Trim();
            var tree = (await GitProcess.OutputWithInputAsync([gitDir, "mktree"], rootEntries + $"100644 blob {blob}\tbench-push.txt\n",
                cancellationToken)).Trim();
            var when = (1_700_000_000 + i).ToString(CultureInfo.InvariantCulture) + " +0000";
            parent = (await GitProcess.OutputWithInputAsync(
                [gitDir, "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit-tree", tree, "-p", parent,
                    "--no-gpg-sign"], $"Push {number}\n", cancellationToken, ("GIT_AUTHOR_DATE", when), ("GIT_COMMITTER_DATE", when))).Trim();
            commits.Add(parent);
        }

        return new PushCommits(gitDir, commits);
    }
}
