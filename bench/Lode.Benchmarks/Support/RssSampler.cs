using System.Globalization;

namespace Lode.Benchmarks.Support;

/// <summary>
/// Samples this process's resident set (<c>VmRSS</c> in <c>/proc/self/status</c>) every 10 ms on a background task
/// and keeps the peak. With the server in process and every client out of process (git, the Go proxy), the growth
/// over the baseline taken at <see cref="Start"/> is the server's memory cost of the operation; git's own
/// processes are not counted.
/// </summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;
    private long peak;

    private RssSampler(long baseline)
    {
        Baseline = baseline;
        peak = baseline;
        sampling = Task.Run(SampleAsync);
    }

    /// <summary>RSS in bytes when sampling started.</summary>
    public long Baseline { get; }

    /// <summary>Highest RSS seen so far, in bytes.</summary>
    public long Peak => Interlocked.Read(ref peak);

    public long Growth => Peak - Baseline;

    public static RssSampler Start() => new(Read());

    /// <summary>The current VmRSS in bytes.</summary>
    public static long Read()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                // "VmRSS:	  123456 kB"
                var value = line["VmRSS:".Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    /// <summary>Stops sampling (after one last sample) and returns the growth over the baseline, in bytes.</summary>
    public async Task<long> StopAsync()
    {
        await stop.CancelAsync();
        await sampling;
        Observe(Read());
        return Growth;
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                Observe(Read());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Observe(long rss)
    {
        long current;
        while (rss > (current = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, rss, current) != current)
        {
        }
    }
}
