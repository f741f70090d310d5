using System.Runtime.CompilerServices;

namespace Lode.Yamux;

/// <summary>
/// Serializes frames onto the transport. One writer at a time holds <see cref="writeLock"/>, so a frame's header and
/// payload are never interleaved with another frame.
/// <para>
/// Control frames (window updates, SYN/ACK/FIN/RST, pings, go-aways) are queued without waiting: the read loop
/// produces most of them and must never block on the transport, or two peers that both stop reading would deadlock
/// each other. Whoever next holds the lock writes the whole queue in one transport write: a data writer before its
/// own frame (which keeps a stream's SYN ahead of its data), or a flusher scheduled on the thread pool when the
/// queue goes from empty to non-empty.
/// </para>
/// <para>
/// Data frames are written by the caller's own task straight from its buffer: no copy into an intermediate queue
/// and no hand-off to another thread per frame.
/// </para>
/// </summary>
internal sealed class FrameWriter : IThreadPoolWorkItem, IDisposable
{
    /// <summary>Payloads up to this size are copied behind their header so the frame is a single transport write.</summary>
    private const int InlinePayloadLimit = 16 * 1024;

    /// <summary>
    /// A peer that keeps sending pings or data while never reading our replies would grow the control queue without
    /// bound; past this many frames (768 KiB) the session is closed instead.
    /// </summary>
    private const int MaxQueuedControlFrames = 64 * 1024;

    private readonly Stream transport;
    private readonly YamuxSession session;
    private readonly TimeSpan writeTimeout;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly Lock queueGate = new();
    private readonly Queue<FrameHeader> control = new();
    private readonly Lock timeoutGate = new();

    /// <summary>Header batch plus small inline payloads; only used while holding <see cref="writeLock"/>.</summary>
    private readonly byte[] scratch = GC.AllocateUninitializedArray<byte>(InlinePayloadLimit + (256 * FrameHeader.Size));

    private bool flushScheduled;

    // closing: the final frames are queued and only CloseAsync may write them; aborted: nothing is written anymore.
    private bool closing;
    private bool aborted;
    private CancellationTokenSource timeoutCts = new();

    public FrameWriter(Stream transport, YamuxSession session, TimeSpan writeTimeout)
    {
        this.transport = transport;
        this.session = session;
        this.writeTimeout = writeTimeout;
    }

    /// <summary>Queues a control frame; returns false when the session is closing or the queue overflowed.</summary>
    public bool EnqueueControl(in FrameHeader header)
    {
        var overflowed = false;
        lock (queueGate)
        {
            if (closing || aborted)
            {
                return false;
            }

            if (control.Count >= MaxQueuedControlFrames)
            {
                overflowed = true;
            }
            else
            {
                control.Enqueue(header);
                if (flushScheduled)
                {
                    return true;
                }

                flushScheduled = true;
            }
        }

        if (overflowed)
        {
            session.Fail(new YamuxException(YamuxError.ControlQueueOverflow, "yamux: control frame queue overflow"), GoAwayCode.InternalError);
            return false;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    void IThreadPoolWorkItem.Execute() => _ = FlushScheduledAsync();

    /// <summary>Writes every queued control frame; completes once they are on the transport.</summary>
    public async Task FlushControlAsync(CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosing();
            await WriteQueuedControlAsync(clearScheduled: false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    private async Task FlushScheduledAsync()
    {
        try
        {
            await writeLock.WaitAsync();
            try
            {
                // Once closing, CloseAsync writes what is queued.
                ThrowIfClosing();
                await WriteQueuedControlAsync(clearScheduled: true);
            }
            finally
            {
                writeLock.Release();
            }
        }
        catch (Exception)
        {
            // The failure has already closed the session (see WriteTransportAsync); nobody awaits this task.
        }
    }

    private async ValueTask WriteQueuedControlAsync(bool clearScheduled)
    {
        var wrote = false;
        while (true)
        {
            var length = Drain(scratch, clearScheduled);
            if (length == 0)
            {
                break;
            }

            await WriteTransportAsync(scratch.AsMemory(0, length));
            wrote = true;
        }

        if (wrote)
        {
            await FlushTransportAsync();
        }
    }

    /// <summary>
    /// Writes one data frame for <paramref name="stream"/>. <paramref name="payload"/> is written from the caller's
    /// memory and must stay untouched until this completes. Cancellation only applies while waiting for the lock:
    /// a frame half on the wire cannot be taken back.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteDataAsync(YamuxStream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!writeLock.Wait(0, cancellationToken))
        {
            await writeLock.WaitAsync(cancellationToken);
        }

        try
        {
            ThrowIfClosing();

            // Queued control frames go first: they may hold this stream's SYN, which must precede its data.
            var length = Drain(scratch, clearScheduled: false);

            // Checked after draining: a FIN or RST queued before this point is already ahead of us in the batch,
            // and one queued after it will follow our frame, so data never trails the stream's own FIN or RST.
            var streamError = stream.GetWriteError();
            if (streamError is not null)
            {
                if (length > 0)
                {
                    await WriteTransportAsync(scratch.AsMemory(0, length));
                    await FlushTransportAsync();
                }

                throw streamError;
            }

            FrameHeader.Data(stream.Id, FrameFlags.None, (uint)payload.Length).Write(scratch.AsSpan(length));
            length += FrameHeader.Size;
            if (payload.Length <= InlinePayloadLimit)
            {
                payload.Span.CopyTo(scratch.AsSpan(length));
                await WriteTransportAsync(scratch.AsMemory(0, length + payload.Length));
            }
            else
            {
                await WriteTransportAsync(scratch.AsMemory(0, length));
                await WriteTransportAsync(payload);
            }

            await FlushTransportAsync();
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>
    /// Ends writing. With <paramref name="last"/> (a GoAway), the queued control frames and then it are written if
    /// the lock and the transport are free within <paramref name="grace"/>; nothing is ever written after it.
    /// </summary>
    public async Task CloseAsync(FrameHeader? last, TimeSpan grace)
    {
        lock (queueGate)
        {
            if (closing || aborted)
            {
                return;
            }

            closing = true;
            if (last is { } frame)
            {
                control.Enqueue(frame);
            }
        }

        if (last is null)
        {
            Abort();
            return;
        }

        bool locked;
        try
        {
            locked = await writeLock.WaitAsync(grace);
        }
        catch (Exception)
        {
            locked = false;
        }

        if (!locked)
        {
            Abort();
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(grace);
            while (true)
            {
                var length = Drain(scratch, clearScheduled: false);
                if (length == 0)
                {
                    break;
                }

                await transport.WriteAsync(scratch.AsMemory(0, length), cts.Token);
            }

            await transport.FlushAsync(cts.Token);
        }
        catch (Exception)
        {
            // The session is going away anyway; a GoAway that cannot be written is simply not sent.
        }
        finally
        {
            // Still holding the lock: no other writer can slip a frame in after the final one.
            Abort();
            writeLock.Release();
        }
    }

    /// <summary>Stops all writing: queued frames are dropped and a write in progress is cancelled.</summary>
    public void Abort()
    {
        lock (queueGate)
        {
            aborted = true;
            control.Clear();
        }

        lock (timeoutGate)
        {
            timeoutCts.Cancel();
        }
    }

    public void Dispose()
    {
        // The semaphore is deliberately not disposed: writers still queued on it must be able to enter, see the
        // session aborted and leave.
        lock (timeoutGate)
        {
            timeoutCts.Dispose();
        }
    }

    private int Drain(Span<byte> destination, bool clearScheduled)
    {
        var written = 0;
        lock (queueGate)
        {
            // Room is kept for a data header after the batch.
            var room = (destination.Length - InlinePayloadLimit - FrameHeader.Size) / FrameHeader.Size;
            while (room-- > 0 && control.TryDequeue(out var header))
            {
                header.Write(destination[written..]);
                written += FrameHeader.Size;
            }

            if (clearScheduled && control.Count == 0)
            {
                flushScheduled = false;
            }
        }

        return written;
    }

    private void ThrowIfClosing()
    {
        lock (queueGate)
        {
            if (closing || aborted)
            {
                throw session.CreateClosedException();
            }
        }
    }

    private async ValueTask WriteTransportAsync(ReadOnlyMemory<byte> bytes)
    {
        var token = ArmTimeout();
        try
        {
            await transport.WriteAsync(bytes, token);
        }
        catch (Exception e)
        {
            throw OnTransportFailure(e);
        }
        finally
        {
            DisarmTimeout();
        }
    }

    private async ValueTask FlushTransportAsync()
    {
        var token = ArmTimeout();
        try
        {
            await transport.FlushAsync(token);
        }
        catch (Exception e)
        {
            throw OnTransportFailure(e);
        }
        finally
        {
            DisarmTimeout();
        }
    }

    private YamuxException OnTransportFailure(Exception e)
    {
        if (e is YamuxException y)
        {
            return y;
        }

        bool timedOut;
        lock (timeoutGate)
        {
            timedOut = timeoutCts.IsCancellationRequested && !Volatile.Read(ref aborted);
        }

        if (Volatile.Read(ref aborted))
        {
            return session.CreateClosedException();
        }

        // A frame may be half written: the session cannot continue.
        var error = timedOut
            ? new YamuxException(YamuxError.WriteTimeout, "yamux: connection write timeout", e)
            : new YamuxException(YamuxError.ConnectionClosed, "yamux: transport write failed", e);
        session.Fail(error, goAway: null);
        return error;
    }

    private CancellationToken ArmTimeout()
    {
        lock (timeoutGate)
        {
            if (Volatile.Read(ref aborted))
            {
                throw session.CreateClosedException();
            }

            if (writeTimeout != Timeout.InfiniteTimeSpan)
            {
                timeoutCts.CancelAfter(writeTimeout);
            }

            return timeoutCts.Token;
        }
    }

    private void DisarmTimeout()
    {
        lock (timeoutGate)
        {
            if (Volatile.Read(ref aborted))
            {
                return;
            }

            // TryReset stops the timer and keeps the source for the next write; it fails only once cancelled.
            if (!timeoutCts.TryReset())
            {
                timeoutCts.Dispose();
                timeoutCts = new CancellationTokenSource();
            }
        }
    }
}
