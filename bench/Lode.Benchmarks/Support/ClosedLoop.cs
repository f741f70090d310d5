namespace Lode.Benchmarks.Support;

/// <summary>
/// Runs a fixed number of operations with a fixed number of workers, each taking the next operation as soon as its
/// previous one finished (closed loop: the parallelism is exactly <c>workers</c>, never more). Lode's callers and
/// git's processes are driven by the same loop.
/// </summary>
internal static class ClosedLoop
{
    /// <summary>Runs operations 0…count-1; <paramref name="operation"/> gets (worker, index). Returns <paramref name="count"/>.</summary>
    public static async Task<long> RunAsync(int count, int workers, Func<int, int, CancellationToken, Task> operation,
        CancellationToken cancellationToken)
    {
        var next = -1;
        var tasks = new Task[Math.Min(workers, count)];
        for (var w = 0; w < tasks.Length; w++)
        {
            var worker = w;
            tasks[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < count)
                {
                    await operation(worker, index, cancellationToken);
                }
            }, cancellationToken);
        }

        await Task.WhenAll(tasks);
        return count;
    }
}
