using System.Globalization;
using Lode.Benchmarks.Harness;
using Lode.Benchmarks.Support;

namespace Lode.Benchmarks.Transport;

/// <summary>
/// git's transports through Lode side by side with plain git on the same repository: a full bare clone through
/// Lode's own smart HTTP listener and through the Go workhorse emulation (sidechannel), against
/// <c>git clone --bare file://</c>, with the server's RSS growth sampled during each clone; and a one-commit push
/// against a plain local <c>git push</c> into a bare repository without hooks: through the front door standalone (no
/// hook has work), with a custom pre-receive hook, and through workhorse into servers with <c>[gitlab] url</c> set
/// (pre-receive asks <c>/allowed</c> and <c>/pre_receive</c>, post-receive <c>/post_receive</c>) running the NativeAOT
/// <c>lode-hooks</c> or the <c>dotnet lode.dll</c> fallback.
/// </summary>
internal sealed class TransportBenchmark : IBenchmark
{
    private const string CloneSource = "@hashed/tr/an/bench.git";

    public string Name => "transport";

    public string Description => "clone (front door, workhorse+sidechannel) and push with hooks through Lode vs plain git";

    public string Usage =>
        "--repo PATH              bare repository (bench/gen-repo.sh makes one); copied to temporary storages\n" +
        "--clone-iterations N     measured clone rounds (default 5)\n" +
        "--clone-warmup N         discarded clone rounds first (default 1)\n" +
        "--push-iterations N      measured push rounds (default 15)\n" +
        "--push-warmup N          discarded push rounds first (default 3)\n" +
        "--hooks-bin DIR          folder holding the NativeAOT lode-hooks (bench/hooks-start.sh publishes it); without it\n" +
        "                         the AOT push variant is skipped\n" +
        "--gitaly-client PATH     shared/tools/gitaly-client.sh (default: found above the current folder); the\n" +
        "                         workhorse variants are skipped without it\n" +
        "--only clone|push        run one half";

    public async Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(args.Require("repo"));
        var only = args.GetString("only");
        if (only is not null and not "clone" and not "push")
        {
            throw new ArgumentException("--only takes clone or push");
        }

        var hooksBin = args.GetString("hooks-bin") is { } bin ? Path.GetFullPath(bin) : null;
        if (hooksBin is not null && !File.Exists(Path.Combine(hooksBin, "lode-hooks")))
        {
            Console.Error.WriteLine($"transport: no lode-hooks in {hooksBin}; the NativeAOT hooks variant is skipped");
            hooksBin = null;
        }

        var clientScript = WorkhorseProxy.Find(args.GetString("gitaly-client"));

        using var scratch = new Scratch("lode-bench-transport-");
        var storageA = scratch.Path("storage-a");
        var repo = Path.Combine(storageA, CloneSource);
        Scratch.CopyRepository(source, repo);
        Console.WriteLine($"transport: {source} (copied to {repo}), {(await GitProcess.OutputAsync(["--version"], cancellationToken)).Trim()}, " +
            $"{Environment.ProcessorCount} cores");

        // Server A: gRPC on TCP (for the Go client), smart HTTP front door, hooks from bin_dir when the AOT build is there.
        await using var lode = await InProcessLode.StartAsync(storageA, scratch.Path("run-a"), hooksBin, smartHttp: true, cancellationToken);
        Console.WriteLine($"  lode A: grpc {lode.GrpcAddress}, http {lode.HttpAddress}, hooks: {DescribeHooks(lode)}");

        WorkhorseProxy? proxy = null;
        if (clientScript is null)
        {
            Console.WriteLine("  workhorse variants skipped: shared/tools/gitaly-client.sh not found (pass --gitaly-client PATH; it lives in " +
                "the shared/ folder beside the project checkout)");
        }
        else
        {
            proxy = await WorkhorseProxy.StartAsync(clientScript, lode.GrpcAddress, InProcessLode.Token, scratch.Path("proxy.addr"), cancellationToken);
            Console.WriteLine($"  workhorse emulation: {clientScript} http-proxy at {proxy.Address} -> tcp://{lode.GrpcAddress}");
        }

        try
        {
            var rows = new List<Comparison>();
            if (only is null or "clone")
            {
                await CloneAsync(args, scratch, repo, lode, proxy, rows, cancellationToken);
            }

            if (only is null or "push")
            {
                await PushAsync(args, scratch, source, repo, lode, hooksBin, clientScript, proxy, rows, cancellationToken);
            }

            Comparison.PrintTable(Console.Out, "transport: medians, Lode/git (time and memory: lower is better)", rows);
            return 0;
        }
        finally
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    private static async Task CloneAsync(BenchmarkArgs args, Scratch scratch, string repo, InProcessLode lode, WorkhorseProxy? proxy,
        List<Comparison> rows, CancellationToken cancellationToken)
    {
        var iterations = args.GetInt("clone-iterations", 5);
        var warmup = args.GetInt("clone-warmup", 1);
        var clones = scratch.Path("clones");
        Directory.CreateDirectory(clones);
        var counter = 0;

        var expectedRefs = await RefsAsync(repo, cancellationToken);
        var objects = (await GitProcess.OutputAsync(["--git-dir=" + repo, "count-objects", "-v"], cancellationToken))
            .Split('\n').First(l => l.StartsWith("in-pack:", StringComparison.Ordinal))["in-pack:".Length..].Trim();
        Console.WriteLine();
        Console.WriteLine($"== clone: git clone --bare (protocol v2), {objects} objects, {expectedRefs.Split('\n').Length - 1} refs; " +
            $"{warmup} warm-up + {iterations} measured rounds, interleaved; server RSS sampled every 10 ms during each clone");

        // The idle server's RSS before any clone: the peaks below are also given over this, which counts whatever the
        // clones left behind (heap growth, buffer pools), not only the growth within one clone.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var idleRss = RssSampler.Read();
        var idleCommitted = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var peaks = new Dictionary<string, long>(StringComparer.Ordinal);
        var variants = new List<(Variant Variant, List<long> Growth)>();
        void Add(string name, string url)
        {
            var growth = new List<long>();
            peaks[name] = 0;
            string? dest = null;
            variants.Add((new Variant(name, async ct =>
            {
                dest = Path.Combine(clones, (counter++).ToString(CultureInfo.InvariantCulture));
                var sampler = RssSampler.Start();
                await using (sampler)
                {
                    await GitProcess.RunAsync(["clone", "--bare", "--quiet", url, dest], ct);
                    growth.Add(await sampler.StopAsync());
                    peaks[name] = Math.Max(peaks[name], sampler.Peak);
                }

                return 1;
            }, () =>
            {
                Directory.Delete(dest!, recursive: true);
                return Task.CompletedTask;
            }), growth));
        }

        Add("git clone --bare file://<repo>", "file://" + repo);
        Add("lode front door (smart HTTP)", $"http://bench:{InProcessLode.Token}@{lode.HttpAddress}/{CloneSource}");
        if (proxy is not null)
        {
            Add("workhorse (Go) + sidechannel", $"http://{proxy.Address}/{CloneSource}");
        }

        // Git is ground truth: one clone through each path must give exactly the source's refs. These first clones are
        // also the only ones that meet a server which has not served a clone yet: their RSS growth is kept apart.
        var firstGrowth = new List<long>();
        foreach (var (variant, growth) in variants)
        {
            await variant.RunOnceAsync(cancellationToken);
            var cloned = Path.Combine(clones, (counter - 1).ToString(CultureInfo.InvariantCulture));
            if (await RefsAsync(cloned, cancellationToken) != expectedRefs)
            {
                throw new InvalidOperationException($"{variant.Name}: the clone's refs differ from the source's");
            }

            await GitProcess.RunAsync(["--git-dir=" + cloned, "fsck", "--connectivity-only", "--no-progress"], cancellationToken);
            await variant.AfterEachAsync!();
            firstGrowth.Add(growth[0]);
            growth.Clear();
        }

        Console.WriteLine($"  validated: every path cloned all {expectedRefs.Split('\n').Length - 1} refs, connectivity checked");
        var results = await SideBySide.RunAsync([.. variants.Select(v => v.Variant)], warmup, iterations, cancellationToken);
        SideBySide.Print(results, "clone");

        var gitGrowth = MedianMiB(variants[0].Growth, warmup);
        Console.WriteLine($"{"server RSS growth (MiB) over the RSS before:",-46} {"1st clone",10} {"median",10} {"max",10} {"peak/idle",10}");
        for (var v = 0; v < variants.Count; v++)
        {
            var (variant, growth) = variants[v];
            var measured = growth.Skip(warmup).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variant.Name,-46} {firstGrowth[v] / 1048576.0,10:F1} {MedianMiB(growth, warmup),10:F1} {measured.Max() / 1048576.0,10:F1} {(peaks[variant.Name] - idleRss) / 1048576.0,10:F1}"));
        }

        Console.WriteLine("  1st clone: the validation clone, the first the server (and this process) ever made on that path; median, max: " +
            "the measured rounds; peak/idle: the highest RSS seen during any clone on that path over the idle server's RSS (cumulative)");
        var gc = GC.GetGCMemoryInfo();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  of which the managed heap: committed {idleCommitted / 1048576.0:F1} MiB idle -> {gc.TotalCommittedBytes / 1048576.0:F1} MiB after the clones " +
            $"({(gc.TotalCommittedBytes - idleCommitted) / 1048576.0:+0.0;-0.0} MiB; server GC, {Environment.ProcessorCount} heaps); RSS now {(RssSampler.Read() - idleRss) / 1048576.0:F1} MiB over idle"));

        var git = results[0].Median.TotalSeconds;
        var allPeaks = peaks.Values.Max();
        rows.Add(new("clone, front door / git file://", "bare v2", results[1].Median.TotalSeconds, git, "s", false, 1.1));
        if (proxy is not null)
        {
            rows.Add(new("clone, workhorse+sidechannel / git file://", "bare v2", results[2].Median.TotalSeconds, git, "s", false, 1.1));
        }

        rows.Add(new("server RSS growth, front door clone", "1st", firstGrowth[1] / 1048576.0, firstGrowth[0] / 1048576.0, "MiB", false, 64,
            "git column: the same sampling around the first git clone", GoalOnValue: true));
        rows.Add(new("server RSS growth, front door clone", "median", MedianMiB(variants[1].Growth, warmup), gitGrowth, "MiB", false, 64,
            GoalOnValue: true));
        if (proxy is not null)
        {
            rows.Add(new("server RSS growth, sidechannel clone", "1st", firstGrowth[2] / 1048576.0, firstGrowth[0] / 1048576.0, "MiB", false,
                64, "its first clone came after the front door's", GoalOnValue: true));
            rows.Add(new("server RSS growth, sidechannel clone", "median", MedianMiB(variants[2].Growth, warmup), gitGrowth, "MiB", false, 64,
                GoalOnValue: true));
        }

        rows.Add(new("server RSS peak over idle, all clones", "cumul.", (allPeaks - idleRss) / 1048576.0, double.NaN, "MiB", false, 64,
            "everything the process gained from idle to the highest peak of the run", GoalOnValue: true));
    }

    private static async Task PushAsync(BenchmarkArgs args, Scratch scratch, string source, string repo, InProcessLode lode, string? hooksBin,
        string? clientScript, WorkhorseProxy? proxy, List<Comparison> rows, CancellationToken cancellationToken)
    {
        var iterations = args.GetInt("push-iterations", 15);
        var warmup = args.GetInt("push-warmup", 3);

        // Each target is its own full copy of the repository, so every push meets the same 1,201 refs.
        var plainTarget = scratch.Path("plain", "push.git");
        Scratch.CopyRepository(source, plainTarget);
        const string StandaloneTarget = "push/standalone.git";
        Scratch.CopyRepository(source, Path.Combine(lode.StoragePath, StandaloneTarget));
        const string CustomHookTarget = "push/custom-hook.git";
        var customHookRepo = Path.Combine(lode.StoragePath, CustomHookTarget);
        Scratch.CopyRepository(source, customHookRepo);
        WriteCustomPreReceive(customHookRepo);
        const string WorkhorseStandaloneTarget = "push/workhorse-standalone.git";
        if (proxy is not null)
        {
            Scratch.CopyRepository(source, Path.Combine(lode.StoragePath, WorkhorseStandaloneTarget));
        }

        // GitLab's path: workhorse's PostReceivePack into a server with [gitlab] set, so that every push asks the internal
        // API (pre-receive: /allowed and /pre_receive; post-receive: /post_receive). Server C runs the NativeAOT hooks,
        // server D (informative) the dotnet fallback.
        const string GitlabTarget = "push/gitlab.git";
        var servers = new List<(InProcessLode Server, WorkhorseProxy Proxy, string Name)>();
        GitlabInternalApi? gitlab = null;
        if (clientScript is null)
        {
            Console.WriteLine("  GitLab push variants skipped: they need shared/tools/gitaly-client.sh (workhorse sends the user and gl_repository)");
        }
        else
        {
            gitlab = await GitlabInternalApi.StartAsync();
            foreach (var (name, bin) in hooksBin is null ? [("dotnet", (string?)null)] : new[] { ("AOT", hooksBin), ("dotnet", null) })
            {
                var storage = scratch.Path("storage-gitlab-" + name);
                Scratch.CopyRepository(source, Path.Combine(storage, GitlabTarget));
                var server = await InProcessLode.StartAsync(storage, scratch.Path("run-gitlab-" + name), bin, smartHttp: false, cancellationToken,
                    gitlab.Url);
                var gitlabProxy = await WorkhorseProxy.StartAsync(clientScript, server.GrpcAddress, InProcessLode.Token,
                    scratch.Path("proxy-gitlab-" + name + ".addr"), cancellationToken);
                servers.Add((server, gitlabProxy, name));
                Console.WriteLine($"  lode with [gitlab] url = {gitlab.Url} ({name} hooks: {DescribeHooks(server)}), workhorse emulation at {gitlabProxy.Address}");
            }
        }

        try
        {
            var commits = await PushCommits.CreateAsync(scratch.Path("client.git"), repo, 1 + warmup + iterations, cancellationToken);
            Console.WriteLine();
            Console.WriteLine($"== push: one commit (1 blob, 1 tree, 1 commit) fast-forwarding main, git push --quiet <url> <commit>:refs/heads/main; " +
                $"{warmup} warm-up + {iterations} measured rounds, interleaved");

            var targets = new List<(Variant Variant, Func<string, Task<string>> MainOf, string Row)>();
            void Add(string name, string row, string url, string gitDir)
            {
                var next = 0;
                targets.Add((new Variant(name, async ct =>
                {
                    var commit = commits.Commits[next++];
                    await GitProcess.RunAsync([commits.GitDir, "push", "--quiet", url, commit + ":refs/heads/main"], ct);
                    return 1;
                }), async expected =>
                {
                    var main = (await GitProcess.OutputAsync(["--git-dir=" + gitDir, "rev-parse", "main"], cancellationToken)).Trim();
                    return main == expected ? "" : $"main is {main}, pushed {expected}";
                }, row));
            }

            var hooksA = hooksBin is not null ? "AOT" : "dotnet";
            Add("git push <path> (no hooks)", "", plainTarget, plainTarget);
            Add("lode front door, standalone (no hook runs)", "push, front door standalone / git",
                $"http://bench:{InProcessLode.Token}@{lode.HttpAddress}/{StandaloneTarget}", Path.Combine(lode.StoragePath, StandaloneTarget));
            Add($"lode front door, custom pre-receive, {hooksA}", $"push, front door custom pre-receive {hooksA} / git",
                $"http://bench:{InProcessLode.Token}@{lode.HttpAddress}/{CustomHookTarget}", customHookRepo);
            if (proxy is not null)
            {
                // The same path as GitLab's without the internal API: what the workhorse emulation and PostReceivePack cost.
                Add("workhorse, standalone (no hook runs)", "push, workhorse standalone / git", $"http://{proxy.Address}/{WorkhorseStandaloneTarget}",
                    Path.Combine(lode.StoragePath, WorkhorseStandaloneTarget));
            }

            foreach (var (server, gitlabProxy, name) in servers)
            {
                Add($"workhorse + GitLab API, {name} hooks", $"push, workhorse + GitLab API, {name} hooks / git", $"http://{gitlabProxy.Address}/{GitlabTarget}",
                    Path.Combine(server.StoragePath, GitlabTarget));
            }

            // The first commit goes to every target before timing, and must land.
            foreach (var (variant, mainOf, _) in targets)
            {
                await variant.RunOnceAsync(cancellationToken);
                if (await mainOf(commits.Commits[0]) is { Length: > 0 } problem)
                {
                    throw new InvalidOperationException($"{variant.Name}: {problem}");
                }
            }

            var results = await SideBySide.RunAsync([.. targets.Select(t => t.Variant)], warmup, iterations, cancellationToken);
            SideBySide.Print(results, "push");
            foreach (var (variant, mainOf, _) in targets)
            {
                if (await mainOf(commits.Commits[^1]) is { Length: > 0 } problem)
                {
                    throw new InvalidOperationException($"{variant.Name}: {problem}");
                }
            }

            var pushes = 1 + warmup + iterations;
            var ran = File.ReadAllLines(Path.Combine(customHookRepo, "pre-receive-ran")).Length;
            if (ran != pushes)
            {
                throw new InvalidOperationException($"the custom pre-receive hook ran {ran} times for {pushes} pushes");
            }

            Console.WriteLine($"  validated: every target's main is the last pushed commit; the custom pre-receive hook ran for each of the {pushes} pushes");
            if (gitlab is not null)
            {
                Console.WriteLine("  GitLab internal API calls: " + string.Join(", ", gitlab.Calls.OrderBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => $"{c.Key} {c.Value}")) + $" (for {servers.Count} x {pushes} pushes)");
            }

            var git = results[0].Median.TotalMilliseconds;
            for (var i = 1; i < results.Count; i++)
            {
                rows.Add(new(targets[i].Row, "1 commit", results[i].Median.TotalMilliseconds, git, "ms", false, 1.5));
            }
        }
        finally
        {
            foreach (var (server, gitlabProxy, _) in servers)
            {
                await gitlabProxy.DisposeAsync();
                await server.DisposeAsync();
            }

            if (gitlab is not null)
            {
                await gitlab.DisposeAsync();
            }
        }
    }

    /// <summary>A custom pre-receive hook that reads the changes and notes that it ran, as a small real hook would.</summary>
    private static void WriteCustomPreReceive(string repository)
    {
        var folder = Path.Combine(repository, "custom_hooks");
        Directory.CreateDirectory(folder);
        var hook = Path.Combine(folder, "pre-receive");
        File.WriteAllText(hook, $"#!/bin/sh\ncat > /dev/null\necho ran >> '{Path.Combine(repository, "pre-receive-ran")}'\n");
        File.SetUnixFileMode(hook, (UnixFileMode)0x1ED);
    }

    /// <summary>What git runs as the server's update hook: the NativeAOT executable or the dotnet fallback script.</summary>
    private static string DescribeHooks(InProcessLode lode)
    {
        var update = new FileInfo(Path.Combine(lode.Host.RuntimePath, "hooks", "update"));
        return update.LinkTarget is { } target ? "NativeAOT " + target : "fallback script: " + File.ReadAllLines(update.FullName)[^1];
    }

    private static async Task<string> RefsAsync(string gitDir, CancellationToken cancellationToken) =>
        await GitProcess.OutputAsync(["--git-dir=" + gitDir, "for-each-ref", "--format=%(objectname) %(refname)"], cancellationToken);

    private static double MedianMiB(List<long> values, int skip)
    {
        var measured = values.Skip(skip).Order().ToList();
        return measured.Count == 0 ? 0 : measured[measured.Count / 2] / 1048576.0;
    }
}
