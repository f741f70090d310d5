using System.Globalization;
using Lode.Benchmarks.Support;

namespace Lode.Benchmarks.Reads;

/// <summary>
/// What the reads benchmark reads, chosen from the repository itself (deterministic for gen-repo.sh's output):
/// 200 commits spread evenly over main's history, a small blob, the largest folder two levels down, and the file
/// touched by the most commits (for blame). Each can be overridden from the command line.
/// </summary>
internal sealed record ReadTargets(
    string Revision,
    IReadOnlyList<string> Commits,
    string BlobPath,
    long BlobSize,
    string Folder,
    int FolderEntries,
    string BlamePath,
    int BlameCommits)
{
    public static async Task<ReadTargets> FindAsync(string repo, BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var gitDir = "--git-dir=" + repo;
        var revision = args.GetString("revision") ?? "main";
        var commitCount = args.GetInt("commits", 200);

        var history = Lines(await GitProcess.OutputAsync([gitDir, "rev-list", revision], cancellationToken));
        var step = Math.Max(1, history.Count / commitCount);
        var commits = new List<string>(commitCount);
        for (var i = 0; i < history.Count && commits.Count < commitCount; i += step)
        {
            commits.Add(history[i]);
        }

        // The first blob of 1-2 KB in ls-tree order: a typical source file.
        var blobPath = args.GetString("blob-path");
        long blobSize = 0;
        foreach (var line in Lines(await GitProcess.OutputAsync([gitDir, "ls-tree", "-r", "-l", revision], cancellationToken)))
        {
            // <mode> SP <type> SP <oid> SP+ <size> TAB <path>
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var fields = line[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var path = line[(tab + 1)..];
            if (fields[1] != "blob" || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                continue;
            }

            if (blobPath is null ? size is >= 1024 and <= 2048 : path == blobPath)
            {
                (blobPath, blobSize) = (path, size);
                break;
            }
        }

        // The folder two levels down with the most entries (ties: the first in ls-tree order).
        var folder = args.GetString("folder");
        if (folder is null)
        {
            // Every path with its trees (-t), counted by parent folder.
            var children = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var path in Lines(await GitProcess.OutputAsync([gitDir, "ls-tree", "-r", "-t", "--name-only", revision], cancellationToken)))
            {
                var slash = path.LastIndexOf('/');
                if (slash > 0)
                {
                    var parent = path[..slash];
                    children[parent] = children.GetValueOrDefault(parent) + 1;
                }
            }

            foreach (var (parent, count) in children)
            {
                if (parent.Count(c => c == '/') == 1 &&
                    (folder is null || count > children[folder] || (count == children[folder] && string.CompareOrdinal(parent, folder) < 0)))
                {
                    folder = parent;
                }
            }
        }

        var folderEntries = Lines(await GitProcess.OutputAsync([gitDir, "ls-tree", revision, folder + "/"], cancellationToken)).Count;

        // The file most commits touched: the longest history blame has to walk.
        var blamePath = args.GetString("blame-path");
        var touches = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var path in Lines(await GitProcess.OutputAsync([gitDir, "log", "--format=", "--name-only", revision], cancellationToken)))
        {
            touches[path] = touches.GetValueOrDefault(path) + 1;
        }

        if (blamePath is null)
        {
            foreach (var (path, count) in touches)
            {
                if (blamePath is null || count > touches[blamePath] || (count == touches[blamePath] && string.CompareOrdinal(path, blamePath) < 0))
                {
                    blamePath = path;
                }
            }
        }

        return new ReadTargets(revision, commits, blobPath ?? throw new InvalidOperationException("no blob of 1-2 KB found"), blobSize,
            folder ?? throw new InvalidOperationException("no folder found"), folderEntries, blamePath!, touches.GetValueOrDefault(blamePath!));
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
