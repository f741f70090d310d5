namespace Lode.Benchmarks.Harness;

/// <summary>The measured iterations of one variant.</summary>
public sealed record VariantResult(string Name, long Items, IReadOnlyList<TimeSpan> Times, long AllocatedBytes)
{
    public TimeSpan Median
    {
        get
        {
            var sorted = new List<TimeSpan>(Times);
            sorted.Sort();
            return sorted.Count % 2 == 1
                ? sorted[sorted.Count / 2]
                : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    public TimeSpan Best
    {
        get
        {
            var best = TimeSpan.MaxValue;
            foreach (var time in Times)
            {
                best = time < best ? time : best;
            }

            return best;
        }
    }

    /// <summary>Items per second at the median iteration.</summary>
    public double Throughput => Items / Median.TotalSeconds;

    /// <summary>Managed bytes allocated per item, averaged over the measured iterations (all threads).</summary>
    public double AllocatedPerItem => (double)AllocatedBytes / (Items * Times.Count);
}
