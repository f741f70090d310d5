using System.Diagnostics;
using Gitaly;
using Grpc.Core;

namespace Lode.Benchmarks.Rpc;

/// <summary>
/// Closed-loop load: <c>concurrency</c> callers each send RepositoryExists back to back for a fixed time and record
/// every call's latency. Both servers get the identical client, token header included.
/// </summary>
internal sealed class LoadGenerator(RepositoryService.RepositoryServiceClient client, Repository repository, Func<Metadata> headers, int concurrency)
{
    public async Task<LoadResult> RunAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<long>[concurrency];
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var mine = latencies[i] = new List<long>(100_000);
            workers[i] = Task.Run(async () =>
            {
                var request = new RepositoryExistsRequest { Repository = repository };
                while (Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested)
                {
                    var before = Stopwatch.GetTimestamp();
                    var reply = await client.RepositoryExistsAsync(request, headers(), cancellationToken: cancellationToken);
                    mine.Add(Stopwatch.GetTimestamp() - before);
                    if (!reply.Exists)
                    {
                        throw new InvalidOperationException("benchmark repository not found");
                    }
                }
            }, cancellationToken);
        }

        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(all.Length, elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static TimeSpan Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)] / Stopwatch.Frequency);
}

/// <summary>One measured round.</summary>
internal sealed record LoadResult(long Calls, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)
{
    public double Throughput => Calls / Elapsed.TotalSeconds;
}
