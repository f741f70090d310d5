using Lode.Core.Errors;

namespace Lode.Git.Commands;

/// <summary>
/// Caps how many processes are being forked at once. fork/exec of a large server process is expensive and a
/// burst of them can stall the machine; as Gitaly's spawn tokens, the limit covers the spawn, not the lifetime.
/// </summary>
public sealed class SpawnLimiter(int maxConcurrent, TimeSpan timeout) : IDisposable
{
    private readonly SemaphoreSlim slots = new(maxConcurrent, maxConcurrent);

    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        if (!await slots.WaitAsync(timeout, cancellationToken))
        {
            throw new LodeException(ErrorCode.ResourceExhausted, "process spawn: timed out waiting for a spawn token");
        }

        return new Slot(slots);
    }

    public void Dispose() => slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
