using System.Globalization;
using System.Text;
using Lode.Benchmarks.Harness;
using Lode.Core.Configuration;
using Lode.Core.Storage;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Prometheus;

namespace Lode.Benchmarks.CatFile;

/// <summary>
/// Reading N commits (default 10,000) through Lode's pooled cat-file reader, parsing each with CommitParser, side by
/// side with plain <c>git cat-file --batch</c> fed the same ids, whose output is only counted, not parsed. The
/// goal is Lode ≥ 0.8 × git: the reader and parser must cost little next to git's own object lookup.
/// </summary>
public sealed class CatFileBenchmark : IBenchmark
{
    public string Name => "catfile";

    public string Description => "N commits via the pooled cat-file reader + CommitParser vs plain git cat-file --batch";

    public string Usage =>
        "--repo PATH        bare repository (bench/gen-repo.sh makes one)\n" +
        "--count N          commits to read per iteration (default 10000)\n" +
        "--iterations N     measured rounds (default 10)\n" +
        "--warmup N         discarded rounds first (default 3)";

    public async Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var repoPath = Path.GetFullPath(args.Require("repo"));
        var count = args.GetInt("count", 10_000);
        var iterations = args.GetInt("iterations", 10);
        var warmup = args.GetInt("warmup", 3);

        var options = new LodeOptions();
        var (gitPath, version) = await GitCommandFactory.DetectAsync(options, cancellationToken);
        var tracker = new ProcessTracker();
        using var git = new GitCommandFactory(gitPath, version, options, tracker);
        var repository = new RepositoryPaths("bench", Path.GetDirectoryName(repoPath)!, Path.GetFileName(repoPath), repoPath);

        var commits = await ListCommitsAsync(git, repository, count, cancellationToken);
        if (commits.Count < count)
        {
            Console.Error.WriteLine($"catfile: the repository has only {commits.Count} commits; reading those");
        }

        var payload = Encoding.ASCII.GetBytes(string.Join('\n', commits) + "\n");
        await using var cache = new CatFileCache(git, options, Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
        var lode = new LodeCatFileRunner(cache, repository, commits);
        Variant[] variants =
        [
            new("git cat-file --batch (count only)", ct => GitBatchRunner.RunAsync(git, repository, payload, buffer: false, ct)),
            new("git cat-file --batch --buffer (count only)", ct => GitBatchRunner.RunAsync(git, repository, payload, buffer: true, ct)),
            new("lode ObjectQueue + CommitParser", lode.QueueAsync),
            new("lode ReadAsync per commit + CommitParser", lode.RoundTripAsync),
            new("lode ObjectQueue, no parsing", lode.QueueNoParseAsync),
        ];

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"catfile: {commits.Count} commits from {repoPath}, git {version}, {warmup} warm-up + {iterations} measured rounds, interleaved"));
        var results = await SideBySide.RunAsync(variants, warmup, iterations, cancellationToken);
        SideBySide.Print(results);

        // Each git run reads whole objects too; compare the object counts so a broken run cannot look fast.
        if (results[2].Items != commits.Count || results[3].Items != commits.Count)
        {
            Console.Error.WriteLine("catfile: Lode did not read every commit");
            return 1;
        }

        var ratioPlain = results[2].Throughput / results[0].Throughput;
        var ratioBuffered = results[2].Throughput / results[1].Throughput;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio lode/git: {ratioPlain:F2} vs git --batch, {ratioBuffered:F2} vs git --batch --buffer (goal >= 0.80)"));
        Console.WriteLine($"processes left: {tracker.Count} (the cached reader until the cache is disposed)");
        return 0;
    }

    private static async Task<List<string>> ListCommitsAsync(GitCommandFactory git, RepositoryPaths repository, int count,
        CancellationToken cancellationToken)
    {
        var output = await git.Create(repository, GitSubcommand.RevList)
            .Flag("--max-count=" + count.ToString(CultureInfo.InvariantCulture))
            .Flag("--all")
            .RunAsync(cancellationToken);
        return [.. Encoding.ASCII.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
