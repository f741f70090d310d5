using System.Diagnostics;
using System.Globalization;
using Lode.Benchmarks.Harness;
using Lode.Benchmarks.Support;

namespace Lode.Benchmarks.Reads;

/// <summary>
/// Read RPCs through Lode (in-process server, real gRPC client over loopback) side by side with plain git doing the
/// same read, one fresh git process per read: FindCommit, TreeEntry and GetTreeEntries with 8 concurrent callers
/// (8 concurrent git processes for git); ListCommits, FindLocalBranches and RawBlame one at a time and 4 at a time.
/// Variants run interleaved, round by round, after warm-up; the final table gives calls/s and the ratio Lode/git.
/// </summary>
internal sealed class ReadsBenchmark : IBenchmark
{
    private static readonly string[] AllRpcs = ["findcommit", "treeentry", "gettreeentries", "listcommits", "findlocalbranches", "rawblame"];

    public string Name => "reads";

    public string Description => "read RPCs (FindCommit, TreeEntry, GetTreeEntries, ListCommits, FindLocalBranches, RawBlame) vs plain git";

    public string Usage =>
        "--repo PATH            bare repository (bench/gen-repo.sh makes one); copied to a temporary storage\n" +
        "--iterations N         measured rounds (default 7)\n" +
        "--warmup N             discarded rounds first (default 3)\n" +
        "--calls N              unary calls per round (default 400)\n" +
        "--stream-calls N       streaming calls per round (default 24)\n" +
        "--concurrency N        unary callers / git processes at once (default 8)\n" +
        "--stream-concurrency N streaming callers at once in the parallel variants (default 4)\n" +
        "--list-count N         commits per ListCommits / git log (default 1000)\n" +
        "--commit-graph         write a commit-graph into the copy first (a maintained repository has one)\n" +
        "--only a,b             run only these: " + string.Join(',', AllRpcs) + "\n" +
        "--revision R --commits N --blob-path P --folder P --blame-path P   override the chosen targets\n" +
        "--profile-lode RPC     only load Lode with that RPC for --seconds (default 30) at --concurrency, printing the pid, for\n" +
        "                       dotnet-trace; RPC is one of the above, findcommit-nosession or listcommits-range (rev ^boundary)";

    public async Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(args.Require("repo"));
        var iterations = args.GetInt("iterations", 7);
        var warmup = args.GetInt("warmup", 3);
        var calls = args.GetInt("calls", 400);
        var streamCalls = args.GetInt("stream-calls", 24);
        var concurrency = args.GetInt("concurrency", 8);
        var streamConcurrency = args.GetInt("stream-concurrency", 4);
        var listCount = args.GetInt("list-count", 1000);
        var only = args.GetString("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? AllRpcs;
        foreach (var rpc in only)
        {
            if (!AllRpcs.Contains(rpc))
            {
                throw new ArgumentException($"unknown RPC \"{rpc}\" in --only");
            }
        }

        using var scratch = new Scratch("lode-bench-reads-");
        var storage = scratch.Path("storage");
        const string RelativePath = "@hashed/be/nc/bench.git";
        var repo = Path.Combine(storage, RelativePath);
        Scratch.CopyRepository(source, repo);
        var commitGraph = args.GetFlag("commit-graph");
        if (commitGraph)
        {
            // As Gitaly's housekeeping leaves a maintained repository: rev-list then walks without inflating commits.
            await GitProcess.RunAsync(["--git-dir=" + repo, "commit-graph", "write", "--reachable", "--changed-paths"], cancellationToken);
        }

        var targets = await ReadTargets.FindAsync(repo, args, cancellationToken);
        Console.WriteLine($"reads: {source} (copied to {repo}{(commitGraph ? ", commit-graph written" : "")}), git {(await GitProcess.OutputAsync(["--version"], cancellationToken)).Trim()}, {Environment.ProcessorCount} cores");
        Console.WriteLine($"  FindCommit: {targets.Commits.Count} commits evenly spread over {targets.Revision}'s history, round-robin");
        Console.WriteLine($"  TreeEntry: {targets.Revision}:{targets.BlobPath} ({targets.BlobSize} bytes)");
        Console.WriteLine($"  GetTreeEntries: {targets.Revision}:{targets.Folder} ({targets.FolderEntries} entries, not recursive)");
        Console.WriteLine($"  RawBlame: {targets.BlamePath} (touched by {targets.BlameCommits} commits)");

        await using var lode = await InProcessLode.StartAsync(storage, scratch.Path("run"), binDir: null, smartHttp: false, cancellationToken);
        var lodeReads = new LodeReads(lode, lode.Repository(RelativePath), targets);
        var gitReads = new GitReads(repo, targets);
        await ValidateAsync(lodeReads, gitReads, targets, listCount, cancellationToken);

        if (args.GetString("profile-lode") is { } profiled)
        {
            var profileBoundary = (await GitProcess.OutputAsync(["--git-dir=" + repo, "rev-list", "-n", "1",
                "--skip=" + listCount.ToString(CultureInfo.InvariantCulture), targets.Revision], cancellationToken)).Trim();
            return await ProfileAsync(profiled, args.GetInt("seconds", 30), lodeReads, listCount, profileBoundary, concurrency, cancellationToken);
        }

        Console.WriteLine($"  {warmup} warm-up + {iterations} measured rounds, variants interleaved; unary: {calls} calls a round, " +
            $"{concurrency} at a time; streaming: {streamCalls} calls a round, 1 and {streamConcurrency} at a time");
        var rows = new List<Comparison>();
        async Task<IReadOnlyList<VariantResult>> RunAsync(string title, Variant[] variants)
        {
            Console.WriteLine();
            Console.WriteLine("== " + title);
            var results = await SideBySide.RunAsync(variants, warmup, iterations, cancellationToken);
            SideBySide.Print(results, "call");
            return results;
        }

        static Variant Loop(string name, int count, int workers, Func<int, int, CancellationToken, Task> operation) =>
            new(name, ct => ClosedLoop.RunAsync(count, workers, operation, ct));

        static string Session(int worker) => "bench-session-" + worker.ToString(CultureInfo.InvariantCulture);

        var x = "x" + concurrency.ToString(CultureInfo.InvariantCulture);
        var xs = "x" + streamConcurrency.ToString(CultureInfo.InvariantCulture);

        if (only.Contains("findcommit"))
        {
            var r = await RunAsync($"FindCommit: {calls} calls over {targets.Commits.Count} commits, {concurrency} at a time",
            [
                Loop($"git cat-file commit <oid> {x}", calls, concurrency, (_, i, ct) => gitReads.RunAsync(gitReads.CatFileCommit(i), ct)),
                Loop($"git log -1 --format=<fields> <oid> {x}", calls, concurrency, (_, i, ct) => gitReads.RunAsync(gitReads.LogOneCommit(i), ct)),
                Loop($"lode FindCommit, session id {x}", calls, concurrency, (w, i, ct) => lodeReads.FindCommitAsync(i, Session(w), ct)),
                Loop($"lode FindCommit, no session id {x}", calls, concurrency, (_, i, ct) => lodeReads.FindCommitAsync(i, null, ct)),
            ]);
            rows.Add(new("FindCommit, session / cat-file", x, r[2].Throughput, r[0].Throughput, "calls/s", true, 0.5));
            rows.Add(new("FindCommit, no session / cat-file", x, r[3].Throughput, r[0].Throughput, "calls/s", true, 0.5));
            rows.Add(new("FindCommit, session / log -1", x, r[2].Throughput, r[1].Throughput, "calls/s", true, 0.5));
        }

        if (only.Contains("treeentry"))
        {
            var r = await RunAsync($"TreeEntry of a {targets.BlobSize}-byte blob: {calls} calls, {concurrency} at a time",
            [
                Loop($"git cat-file blob <rev>:<path> {x}", calls, concurrency, (_, _, ct) => gitReads.RunAsync(gitReads.CatFileBlob(), ct)),
                Loop($"lode TreeEntry, session id {x}", calls, concurrency, (w, _, ct) => lodeReads.TreeEntryAsync(Session(w), ct)),
            ]);
            rows.Add(new("TreeEntry (small blob) / cat-file", x, r[1].Throughput, r[0].Throughput, "calls/s", true, 0.5, "goal: unary guide"));
        }

        if (only.Contains("gettreeentries"))
        {
            var r = await RunAsync($"GetTreeEntries of {targets.Folder} ({targets.FolderEntries} entries): {calls} calls, {concurrency} at a time",
            [
                Loop($"git ls-tree <rev> <folder>/ {x}", calls, concurrency, (_, _, ct) => gitReads.RunAsync(gitReads.LsTree(), ct)),
                Loop($"lode GetTreeEntries (flat paths) {x}", calls, concurrency, (w, _, ct) => lodeReads.GetTreeEntriesAsync(Session(w), false, ct)),
                Loop($"lode GetTreeEntries skip_flat_paths {x}", calls, concurrency, (w, _, ct) => lodeReads.GetTreeEntriesAsync(Session(w), true, ct)),
            ]);
            rows.Add(new("GetTreeEntries / ls-tree", x, r[1].Throughput, r[0].Throughput, "calls/s", true, 0.5, "goal: unary guide"));
            rows.Add(new("GetTreeEntries skip_flat / ls-tree", x, r[2].Throughput, r[0].Throughput, "calls/s", true, 0.5, "goal: unary guide"));
        }

        if (only.Contains("listcommits"))
        {
            // The commit after the page: "rev ^boundary" lists the same commits and rev-list stops by itself.
            var boundary = (await GitProcess.OutputAsync(["--git-dir=" + repo, "rev-list", "-n", "1",
                "--skip=" + listCount.ToString(CultureInfo.InvariantCulture), targets.Revision], cancellationToken)).Trim();
            var rangeIds = await lodeReads.ListCommitsRangeAsync(boundary, listCount, "validate", cancellationToken);
            var pageIds = await lodeReads.ListCommitsAsync(listCount, "validate", cancellationToken);
            var rangeSame = rangeIds.SequenceEqual(pageIds);
            var r = await RunAsync($"ListCommits of {listCount} commits: {streamCalls} calls, 1 and {streamConcurrency} at a time",
            [
                Loop($"git log --format=<fields> -n {listCount} x1", streamCalls, 1, (_, _, ct) => gitReads.RunAsync(gitReads.Log(listCount), ct)),
                Loop($"git rev-list -n {listCount} | cat-file --batch x1", streamCalls, 1, (_, _, ct) => gitReads.RevListCatFileAsync(listCount, ct)),
                Loop("lode ListCommits x1", streamCalls, 1, (w, _, ct) => lodeReads.ListCommitsAsync(listCount, Session(w), ct)),
                Loop($"git log --format=<fields> -n {listCount} {xs}", streamCalls, streamConcurrency, (_, _, ct) => gitReads.RunAsync(gitReads.Log(listCount), ct)),
                Loop($"git rev-list -n {listCount} | cat-file --batch {xs}", streamCalls, streamConcurrency, (_, _, ct) => gitReads.RevListCatFileAsync(listCount, ct)),
                Loop($"lode ListCommits {xs}", streamCalls, streamConcurrency, (w, _, ct) => lodeReads.ListCommitsAsync(listCount, Session(w), ct)),
                Loop("diag: lode ListCommits rev ^boundary, no limit x1", streamCalls, 1,
                    (w, _, ct) => lodeReads.ListCommitsRangeAsync(boundary, listCount, Session(w), ct)),
                Loop($"diag: lode ListCommits rev ^boundary, no limit {xs}", streamCalls, streamConcurrency,
                    (w, _, ct) => lodeReads.ListCommitsRangeAsync(boundary, listCount, Session(w), ct)),
            ]);
            Console.WriteLine($"  diag: \"{targets.Revision} ^{boundary[..12]}\" lists {(rangeSame ? "the same" : "OTHER")} {rangeIds.Count} commits; " +
                "rev-list exits by itself instead of being killed after the page");
            rows.Add(new("ListCommits / git log", "x1", r[2].Throughput * listCount, r[0].Throughput * listCount, "commits/s", true, 0.8));
            rows.Add(new("ListCommits / git log", xs, r[5].Throughput * listCount, r[3].Throughput * listCount, "commits/s", true, 0.8));
            rows.Add(new("ListCommits / rev-list|cat-file", "x1", r[2].Throughput * listCount, r[1].Throughput * listCount, "commits/s", true, 0.8));
            rows.Add(new("ListCommits / rev-list|cat-file", xs, r[5].Throughput * listCount, r[4].Throughput * listCount, "commits/s", true, 0.8));
            rows.Add(new("diag: ListCommits ^boundary / git log", "x1", r[6].Throughput * listCount, r[0].Throughput * listCount, "commits/s", true, null,
                "rev-list not killed"));
            rows.Add(new("diag: ListCommits ^boundary / git log", xs, r[7].Throughput * listCount, r[3].Throughput * listCount, "commits/s", true, null,
                "rev-list not killed"));
        }

        if (only.Contains("findlocalbranches"))
        {
            var r = await RunAsync($"FindLocalBranches: {streamCalls} calls, 1 and {streamConcurrency} at a time",
            [
                Loop("git for-each-ref --format=<fields> x1", streamCalls, 1, (_, _, ct) => gitReads.RunAsync(gitReads.ForEachRef(), ct)),
                Loop("lode FindLocalBranches x1", streamCalls, 1, (w, _, ct) => lodeReads.FindLocalBranchesAsync(Session(w), ct)),
                Loop($"git for-each-ref --format=<fields> {xs}", streamCalls, streamConcurrency, (_, _, ct) => gitReads.RunAsync(gitReads.ForEachRef(), ct)),
                Loop($"lode FindLocalBranches {xs}", streamCalls, streamConcurrency, (w, _, ct) => lodeReads.FindLocalBranchesAsync(Session(w), ct)),
            ]);
            rows.Add(new("FindLocalBranches / for-each-ref", "x1", r[1].Throughput, r[0].Throughput, "calls/s", true, 0.8, "goal: streaming guide"));
            rows.Add(new("FindLocalBranches / for-each-ref", xs, r[3].Throughput, r[2].Throughput, "calls/s", true, 0.8, "goal: streaming guide"));
        }

        if (only.Contains("rawblame"))
        {
            var r = await RunAsync($"RawBlame of {targets.BlamePath}: {streamCalls} calls, 1 and {streamConcurrency} at a time",
            [
                Loop("git blame --porcelain x1", streamCalls, 1, (_, _, ct) => gitReads.RunAsync(gitReads.Blame(), ct)),
                Loop("lode RawBlame x1", streamCalls, 1, (w, _, ct) => lodeReads.RawBlameAsync(Session(w), ct)),
                Loop($"git blame --porcelain {xs}", streamCalls, streamConcurrency, (_, _, ct) => gitReads.RunAsync(gitReads.Blame(), ct)),
                Loop($"lode RawBlame {xs}", streamCalls, streamConcurrency, (w, _, ct) => lodeReads.RawBlameAsync(Session(w), ct)),
            ]);
            rows.Add(new("RawBlame / git blame", "x1", r[1].Throughput, r[0].Throughput, "calls/s", true, 0.8, "goal: streaming guide"));
            rows.Add(new("RawBlame / git blame", xs, r[3].Throughput, r[2].Throughput, "calls/s", true, 0.8, "goal: streaming guide"));
        }

        Comparison.PrintTable(Console.Out, "reads: medians, Lode/git (throughput: higher is better)", rows);
        Console.WriteLine($"git processes left under Lode: {lode.Host.Processes.Count} (cached cat-file readers until the server stops)");
        return 0;
    }

    /// <summary>Git is ground truth: every Lode answer used above is checked once against git's output.</summary>
    private static async Task ValidateAsync(LodeReads lode, GitReads git, ReadTargets targets, int listCount, CancellationToken cancellationToken)
    {
        for (var i = 0; i < targets.Commits.Count; i++)
        {
            if (await lode.FindCommitAsync(i, "validate", cancellationToken) != targets.Commits[i])
            {
                throw new InvalidOperationException("FindCommit returned another commit");
            }
        }

        using (var blob = new MemoryStream())
        {
            await GitProcess.RunAsync(git.CatFileBlob(), blob, cancellationToken);
            var content = await lode.TreeEntryAsync("validate", cancellationToken);
            if (!blob.ToArray().AsSpan().SequenceEqual(content))
            {
                throw new InvalidOperationException("TreeEntry content differs from git cat-file blob");
            }
        }

        if (await lode.GetTreeEntriesAsync("validate", false, cancellationToken) != targets.FolderEntries)
        {
            throw new InvalidOperationException("GetTreeEntries entry count differs from git ls-tree");
        }

        var revList = (await GitProcess.OutputAsync([git.Log(listCount)[0], "rev-list", "-n", listCount.ToString(CultureInfo.InvariantCulture), targets.Revision],
            cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (!revList.SequenceEqual(await lode.ListCommitsAsync(listCount, "validate", cancellationToken)))
        {
            throw new InvalidOperationException("ListCommits ids differ from git rev-list");
        }

        var branches = (await GitProcess.OutputAsync([git.Log(1)[0], "for-each-ref", "--sort=refname", "--format=%(refname)", "refs/heads/"],
            cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (!branches.SequenceEqual(await lode.FindLocalBranchesAsync("validate", cancellationToken)))
        {
            throw new InvalidOperationException("FindLocalBranches names differ from git for-each-ref");
        }

        using (var blame = new MemoryStream())
        {
            await GitProcess.RunAsync(git.Blame(), blame, cancellationToken);
            var porcelain = await lode.RawBlameAsync("validate", cancellationToken);
            if (!blame.ToArray().AsSpan().SequenceEqual(porcelain))
            {
                throw new InvalidOperationException("RawBlame output differs from git blame --porcelain");
            }
        }

        Console.WriteLine($"  validated against git: {targets.Commits.Count} commits, the blob, {targets.FolderEntries} tree entries, " +
            $"{listCount} listed commits, {branches.Length} branches, the blame");
    }

    /// <summary>Loads Lode alone with one RPC so that a profiler attached to this process sees only that.</summary>
    private static async Task<int> ProfileAsync(string rpc, int seconds, LodeReads lode, int listCount, string boundary, int concurrency,
        CancellationToken cancellationToken)
    {
        Func<int, int, CancellationToken, Task> operation = rpc switch
        {
            "findcommit" => (w, i, ct) => lode.FindCommitAsync(i, "profile-" + w, ct),
            "findcommit-nosession" => (_, i, ct) => lode.FindCommitAsync(i, null, ct),
            "treeentry" => (w, _, ct) => lode.TreeEntryAsync("profile-" + w, ct),
            "gettreeentries" => (w, _, ct) => lode.GetTreeEntriesAsync("profile-" + w, false, ct),
            "listcommits" => (w, _, ct) => lode.ListCommitsAsync(listCount, "profile-" + w, ct),
            "listcommits-range" => (w, _, ct) => lode.ListCommitsRangeAsync(boundary, listCount, "profile-" + w, ct),
            "findlocalbranches" => (w, _, ct) => lode.FindLocalBranchesAsync("profile-" + w, ct),
            "rawblame" => (w, _, ct) => lode.RawBlameAsync("profile-" + w, ct),
            _ => throw new ArgumentException($"unknown RPC \"{rpc}\" for --profile-lode"),
        };

        Console.WriteLine($"loading Lode with {rpc}, {concurrency} at a time, for {seconds}s (pid {Environment.ProcessId})");
        var stopwatch = Stopwatch.StartNew();
        long total = 0;
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            total += await ClosedLoop.RunAsync(concurrency * 10, concurrency, operation, cancellationToken);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} calls, {total / stopwatch.Elapsed.TotalSeconds:F0} calls/s"));
        return 0;
    }
}
