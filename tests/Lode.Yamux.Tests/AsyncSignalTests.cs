namespace Lode.Yamux.Tests;

public sealed class AsyncSignalTests
{
    [Fact]
    public async Task Wait_SetBeforeWait_CompletesAtOnce()
    {
        var signal = new AsyncSignal();
        signal.Set();
        signal.Set();

        var wait = signal.WaitAsync(CancellationToken.None);

        Assert.True(wait.IsCompletedSuccessfully);
        await wait;

        // Two sets before one wait count once: the waiter re-checks its condition anyway.
        var second = signal.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        signal.Set();
        await second.Within();
    }

    [Fact]
    public async Task Wait_ManyRounds_ReusesWithoutLosingWakeUps()
    {
        var signal = new AsyncSignal();
        var count = 0;
        var waiter = Task.Run(async () =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                await signal.WaitAsync(CancellationToken.None);
                Interlocked.Increment(ref count);
            }
        });

        while (!waiter.IsCompleted)
        {
            signal.Set();
            await Task.Yield();
        }

        await waiter.Within();
        Assert.Equal(10_000, count);
    }

    [Fact]
    public async Task Wait_Cancelled_ThrowsAndNextWaitWorks()
    {
        var signal = new AsyncSignal();
        using (var cts = new CancellationTokenSource())
        {
            var wait = signal.WaitAsync(cts.Token).AsTask();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.Within());
        }

        using var other = new CancellationTokenSource();
        var next = signal.WaitAsync(other.Token).AsTask();
        Assert.False(next.IsCompleted);
        signal.Set();
        await next.Within();
    }

    [Fact]
    public async Task Wait_AlreadyCancelledToken_CompletesCancelled()
    {
        var signal = new AsyncSignal();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signal.WaitAsync(cts.Token).AsTask().Within());
    }

    [Fact]
    public void Wait_Concurrent_Throws()
    {
        var signal = new AsyncSignal();
        _ = signal.WaitAsync(CancellationToken.None).AsTask();

        Assert.Throws<InvalidOperationException>(() => { _ = signal.WaitAsync(CancellationToken.None).AsTask(); });
    }
}
