using System.Threading.Tasks.Sources;

namespace Lode.Yamux;

/// <summary>
/// An auto-reset wake-up for one waiter at a time, reusable without allocating. A stream's writer waits on it
/// for send window; blocking there once per frame is the normal state of a fast transfer, so a
/// TaskCompletionSource per wait would be an allocation per frame. A <see cref="Set"/> with nobody waiting is
/// remembered, so the waiter re-checks its condition instead of missing a wake-up.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private readonly Lock gate = new();
    private ManualResetValueTaskSourceCore<bool> core = new() { RunContinuationsAsynchronously = true };
    private bool signaled;
    private bool waiting;
    private CancellationToken waitToken;
    private CancellationTokenRegistration registration;

    /// <summary>Completes at the next <see cref="Set"/> (or at once if one happened since the last wait).</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        short version;
        lock (gate)
        {
            if (signaled)
            {
                signaled = false;
                return ValueTask.CompletedTask;
            }

            if (waiting)
            {
                throw new InvalidOperationException("concurrent wait on a single-waiter signal");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            core.Reset();
            version = core.Version;
            waiting = true;
            waitToken = cancellationToken;
        }

        if (cancellationToken.CanBeCanceled)
        {
            // Registered outside the lock because the callback takes it (and runs inline if the token has fired).
            var reg = cancellationToken.UnsafeRegister(
                static (state, token) => ((AsyncSignal)state!).OnCanceled(token), this);
            bool keep;
            lock (gate)
            {
                keep = waiting && core.Version == version;
                if (keep)
                {
                    registration = reg;
                }
            }

            if (!keep)
            {
                // Already completed; GetResult may have run, so nobody else will dispose this registration.
                reg.Dispose();
            }
        }

        return new ValueTask(this, version);
    }

    /// <summary>Wakes the waiter, or the next one to wait.</summary>
    public void Set()
    {
        lock (gate)
        {
            if (waiting)
            {
                waiting = false;
                core.SetResult(true);
            }
            else
            {
                signaled = true;
            }
        }
    }

    private void OnCanceled(CancellationToken token)
    {
        lock (gate)
        {
            // A late callback from an earlier wait with another token must not cancel this one.
            if (!waiting || waitToken != token)
            {
                return;
            }

            waiting = false;
            core.SetException(new OperationCanceledException(token));
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            core.GetResult(token);
        }
        finally
        {
            CancellationTokenRegistration reg;
            lock (gate)
            {
                reg = registration;
                registration = default;
                waitToken = default;
            }

            // Outside the lock: Dispose waits for a running callback, which takes the lock.
            reg.Dispose();
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => core.OnCompleted(continuation, state, token, flags);
}
