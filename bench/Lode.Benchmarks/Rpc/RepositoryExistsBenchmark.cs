using System.Globalization;
using Gitaly;
using Grpc.Core;
using Grpc.Net.Client;
using Lode.Core.Configuration;
using Lode.Host.Hosting;
using Lode.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Benchmarks.Rpc;

/// <summary>
/// RepositoryExists through Lode's full pipeline (v2 auth, JSON access log, Prometheus metrics, error mapping)
/// against a bare grpc-dotnet server doing the same filesystem check, both in this process, measured in
/// alternating rounds with the same client. The ratio is the cost of the pipeline.
/// </summary>
internal sealed class RepositoryExistsBenchmark : IBenchmark
{
    private const string Token = "benchmark-token";

    public string Name => "rpc-exists";

    public string Description => "RepositoryExists: Lode's full pipeline vs a bare grpc-dotnet server (throughput, p99)";

    public string Usage => "[--seconds 3] [--rounds 5] [--concurrency 16] [--profile-lode SECONDS: only load Lode, for a profiler]";

    public async Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var seconds = args.GetInt("seconds", 3);
        var rounds = args.GetInt("rounds", 5);
        var concurrency = args.GetInt("concurrency", 16);
        var output = Console.Out;

        var root = Directory.CreateTempSubdirectory("lode-bench-rpc-").FullName;
        try
        {
            var storage = Path.Combine(root, "storage");
            var repoRelative = "@hashed/aa/bb/bench.git";
            Directory.CreateDirectory(Path.Combine(storage, repoRelative, "objects"));
            Directory.CreateDirectory(Path.Combine(storage, repoRelative, "refs"));
            await File.WriteAllTextAsync(Path.Combine(storage, repoRelative, "HEAD"), "ref: refs/heads/main\n", cancellationToken);

            // Lode logs every call as JSON, as in production; the lines go to a null stream here so that formatting
            // and the log queue are paid for but the terminal is not flooded.
            await using var lode = await ServerHost.StartAsync(new LodeOptions
            {
                ListenAddr = "127.0.0.1:0",
                PrometheusListenAddr = "127.0.0.1:0",
                BinDir = AppContext.BaseDirectory,
                RuntimeDir = root,
                Auth = new AuthOptions { Token = Environment.GetEnvironmentVariable("BENCH_NO_TOKEN") == "1" ? "" : Token },
                Logging = new LoggingOptions { Format = "json", Level = Environment.GetEnvironmentVariable("BENCH_LOG_LEVEL") ?? "info" },
                Storages = [new StorageOptions("default", storage)],
            }, new ServerHostSettings { LogStream = Stream.Null }, cancellationToken);
            await using var bare = await StartBareAsync(storage, cancellationToken);

            using var lodeChannel = GrpcChannel.ForAddress("http://" + lode.Endpoints.Tcp);
            using var bareChannel = GrpcChannel.ForAddress("http://" + bare.Urls.First().Replace("http://", "", StringComparison.Ordinal));
            var repository = new Repository { StorageName = "default", RelativePath = repoRelative };
            Metadata Headers() => new() { { "authorization", TokenValidator.CreateHeader(Token, DateTimeOffset.UtcNow) }, { "x-gitlab-correlation-id", "bench" } };
            var lodeLoad = new LoadGenerator(new RepositoryService.RepositoryServiceClient(lodeChannel), repository, Headers, concurrency);
            var bareLoad = new LoadGenerator(new RepositoryService.RepositoryServiceClient(bareChannel), repository, Headers, concurrency);

            if (args.GetInt("profile-lode", 0) is > 0 and var profileSeconds)
            {
                output.WriteLine($"loading Lode only for {profileSeconds}s (pid {Environment.ProcessId})");
                await ReportCpuPerCallAsync(output, "lode", lodeLoad, profileSeconds, cancellationToken);
                await ReportCpuPerCallAsync(output, "bare", bareLoad, profileSeconds, cancellationToken);
                await ReportCpuPerCallAsync(output, "lode", lodeLoad, profileSeconds, cancellationToken);
                await ReportCpuPerCallAsync(output, "bare", bareLoad, profileSeconds, cancellationToken);
                return 0;
            }

            output.WriteLine($"RepositoryExists, {concurrency} concurrent callers, {rounds} rounds of {seconds}s each, interleaved after a warm-up");
            await lodeLoad.RunAsync(TimeSpan.FromSeconds(2), cancellationToken);
            await bareLoad.RunAsync(TimeSpan.FromSeconds(2), cancellationToken);

            var lodeResults = new List<LoadResult>();
            var bareResults = new List<LoadResult>();
            for (var round = 0; round < rounds; round++)
            {
                bareResults.Add(await bareLoad.RunAsync(TimeSpan.FromSeconds(seconds), cancellationToken));
                lodeResults.Add(await lodeLoad.RunAsync(TimeSpan.FromSeconds(seconds), cancellationToken));
            }

            var lodeMedian = Median(lodeResults);
            var bareMedian = Median(bareResults);
            output.WriteLine($"{"variant",-36} {"calls/s",10} {"p50 ms",8} {"p99 ms",8}");
            Print(output, "bare grpc-dotnet (no pipeline)", bareMedian);
            Print(output, "lode (auth + JSON log + metrics)", lodeMedian);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio lode/bare: throughput {lodeMedian.Throughput / bareMedian.Throughput:F2}, p99 bare/lode {bareMedian.P99.TotalMilliseconds / lodeMedian.P99.TotalMilliseconds:F2} (goal >= 0.8)"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>CPU time of this whole process (client and server) per call: the pipeline's cost without queueing noise.</summary>
    private static async Task ReportCpuPerCallAsync(TextWriter output, string name, LoadGenerator load, int seconds, CancellationToken cancellationToken)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var result = await load.RunAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
        process.Refresh();
        var cpu = process.TotalProcessorTime - before;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {result.Throughput:N0} calls/s, {cpu.TotalMicroseconds / result.Calls:F1} us CPU per call (client + server)"));
    }

    /// <summary>The round with the median throughput, so throughput and its latencies come from one measurement.</summary>
    private static LoadResult Median(List<LoadResult> results) => results.OrderBy(r => r.Throughput).ElementAt(results.Count / 2);

    private static void Print(TextWriter output, string name, LoadResult result) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-36} {result.Throughput,10:N0} {result.P50.TotalMilliseconds,8:F3} {result.P99.TotalMilliseconds,8:F3}"));

    private static async Task<WebApplication> StartBareAsync(string storage, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, lo => lo.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new BareRepositoryService(storage));
        var app = builder.Build();
        app.MapGrpcService<BareRepositoryService>();
        await app.StartAsync(cancellationToken);
        return app;
    }
}
