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
                if (variants[v].AfterEachAsync is { } afterEach)
                {
                    await afterEach();
                }

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

    /// <summary>
    /// Managed bytes allocated in this process per item, all threads: for Lode the client and the in-process server.
    /// GC.GetTotalAllocatedBytes is not exact across threads under the server GC; a negative difference prints "?".
    /// </summary>
    private static string Allocated(VariantResult result) =>
        result.AllocatedPerItem < 0 ? "?" : result.AllocatedPerItem.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Prints one line per variant; <paramref name="item"/> names what was counted ("object", "call", "clone").</summary>
    public static void Print(IReadOnlyList<VariantResult> results, string item = "object")
    {
        Console.WriteLine($"{"variant",-46} {"median ms",10} {"best ms",10} {item + "s/s",12} {"alloc B/" + item,14}");
        foreach (var result in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Name,-46} {result.Median.TotalMilliseconds,10:F1} {result.Best.TotalMilliseconds,10:F1} {result.Throughput,12:N1} {Allocated(result),14}"));
        }
    }
}
