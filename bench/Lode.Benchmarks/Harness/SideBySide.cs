using System.Diagnostics;
using System.Globalization;

namespace Lode.Benchmarks.Harness;

/// <summary>
/// Runs variants in the same process, interleaved round by round (A B C, A B C, …) so that machine noise, CPU
/// frequency and page cache state hit all of them alike. Warm-up rounds are run and discarded first.
/// </summary>
public static class SideBySide
{
    public static async Task<IReadOnlyList<VariantResult>> RunAsync(IReadOnlyList<Variant> variants, int warmup, int iterations,
        CancellationToken cancellationToken)
    {
        var items = new long[variants.Count];
        var times = new List<TimeSpan>[variants.Count];
        var allocated = new long[variants.Count];
        for (var v = 0; v < variants.Count; v++)
        {
            times[v] = [];
        }

        for (var round = 0; round < warmup + iterations; round++)
        {
            for (var v = 0; v < variants.Count; v++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var stopwatch = Stopwatch.StartNew();
                var count = await variants[v].RunOnceAsync(cancellationToken);
                stopwatch.Stop();
                var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
                if (round > 0 && count != items[v])
                {
                    throw new InvalidOperationException($"{variants[v].Name}: processed {count} items, earlier {items[v]}");
                }

                items[v] = count;
                if (round >= warmup)
                {
                    times[v].Add(stopwatch.Elapsed);
                    allocated[v] += allocatedAfter - allocatedBefore;
                }
            }
        }

        var results = new VariantResult[variants.Count];
        for (var v = 0; v < variants.Count; v++)
        {
            results[v] = new VariantResult(variants[v].Name, items[v], times[v], allocated[v]);
        }

        return results;
    }

    public static void Print(IReadOnlyList<VariantResult> results)
    {
        Console.WriteLine($"{"variant",-42} {"median ms",10} {"best ms",10} {"objects/s",12} {"alloc B/obj",12}");
        foreach (var result in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Name,-42} {result.Median.TotalMilliseconds,10:F1} {result.Best.TotalMilliseconds,10:F1} {result.Throughput,12:N0} {result.AllocatedPerItem,12:N0}"));
        }
    }
}
