using Lode.Benchmarks.Support;

namespace Lode.Benchmarks.Reads;

/// <summary>
/// The plain git side of the reads benchmark: for each RPC the git command that reads the same data, one fresh
/// process per read, its whole stdout read and counted. These are the commands bench/README.md lists.
/// </summary>
internal sealed class GitReads(string repo, ReadTargets targets)
{
    /// <summary>
    /// Every field GitCommit carries: ids, parents, author and committer (name, email, raw date with zone) and the raw
    /// message (subject and body). Used by <c>git log</c> (ListCommits, FindCommit's second baseline).
    /// </summary>
    public const string CommitFormat = "--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd%x00%B";

    /// <summary>The same fields through for-each-ref's atoms, per branch (FindLocalBranches).</summary>
    public const string BranchFormat = "--format=%(refname)%00%(objectname)%00%(tree)%00%(parent)%00%(authorname)%00%(authoremail)" +
        "%00%(authordate:raw)%00%(committername)%00%(committeremail)%00%(committerdate:raw)%00%(contents)";

    private readonly string gitDir = "--git-dir=" + repo;

    public string[] CatFileCommit(int index) => [gitDir, "cat-file", "commit", targets.Commits[index % targets.Commits.Count]];

    public string[] LogOneCommit(int index) => [gitDir, "log", "-1", "--date=raw", CommitFormat, targets.Commits[index % targets.Commits.Count]];

    public string[] CatFileBlob() => [gitDir, "cat-file", "blob", targets.Revision + ":" + targets.BlobPath];

    public string[] LsTree() => [gitDir, "ls-tree", targets.Revision, targets.Folder + "/"];

    public string[] Log(int count) => [gitDir, "log", "--date=raw", CommitFormat, "-n", count.ToString(System.Globalization.CultureInfo.InvariantCulture), targets.Revision];

    public string[] ForEachRef() => [gitDir, "for-each-ref", "--sort=refname", BranchFormat, "refs/heads/"];

    public string[] Blame() => [gitDir, "blame", "--porcelain", targets.Revision, "--", targets.BlamePath];

    public Task<long> RunAsync(string[] args, CancellationToken cancellationToken) => GitProcess.RunAsync(args, cancellationToken);

    /// <summary>
    /// Gitaly's own pipeline done by hand: <c>git rev-list -n N rev</c> piped into <c>git cat-file --batch</c>, the
    /// second process's output read to the end. Two processes per read.
    /// </summary>
    public async Task<long> RevListCatFileAsync(int count, CancellationToken cancellationToken)
    {
        using var revList = GitProcess.Start([gitDir, "rev-list", "-n", count.ToString(System.Globalization.CultureInfo.InvariantCulture), targets.Revision],
            null, redirectStdin: false);
        using var catFile = GitProcess.Start([gitDir, "cat-file", "--batch", "--buffer"], null, redirectStdin: true);
        var revListErrors = revList.StandardError.ReadToEndAsync(cancellationToken);
        var catFileErrors = catFile.StandardError.ReadToEndAsync(cancellationToken);
        var pipe = Task.Run(async () =>
        {
            await revList.StandardOutput.BaseStream.CopyToAsync(catFile.StandardInput.BaseStream, cancellationToken);
            catFile.StandardInput.Close();
        }, cancellationToken);
        var bytes = await GitProcess.DrainAsync(catFile.StandardOutput.BaseStream, null, cancellationToken);
        await pipe;
        await revList.WaitForExitAsync(cancellationToken);
        await catFile.WaitForExitAsync(cancellationToken);
        if (revList.ExitCode != 0 || catFile.ExitCode != 0)
        {
            throw new InvalidOperationException($"rev-list | cat-file: exit {revList.ExitCode}/{catFile.ExitCode}: {await revListErrors}{await catFileErrors}");
        }

        return bytes;
    }
}
