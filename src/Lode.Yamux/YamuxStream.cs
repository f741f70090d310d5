using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Lode.Yamux;

/// <summary>
/// One yamux stream: a duplex byte stream multiplexed on a <see cref="YamuxSession"/>.
/// <para>
/// Reads return 0 once the peer half-closed (FIN) and all its data was read; they throw
/// <see cref="YamuxException"/> (an <see cref="IOException"/>) after a reset, or when the session ends before
/// the peer's FIN. Writes wait for send window, are split into frames, and complete once their frames are on the
/// transport. <see cref="CloseWrite"/> half-closes, <see cref="Reset"/> aborts, and disposing closes gracefully:
/// FIN, then unread and later data is dropped (its window handed back so the peer can finish) until the peer's
/// FIN, or a reset after <see cref="YamuxOptions.StreamCloseTimeout"/>.
/// </para>
/// <para>One reader and one writer may use the stream concurrently; concurrent reads or concurrent writes are not supported.</para>
/// </summary>
public sealed partial class YamuxStream : Stream
{
    /// <summary>
    /// Largest payload per data frame. Big frames cost fewer headers and wake-ups; 64 KiB bounds how long one
    /// stream's frame holds up the others on the shared connection.
    /// </summary>
    internal const int MaxFramePayload = 64 * 1024;

    private const int Idle = 0;
    private const int Reading = 1;
    private const int ReaderDisposed = 2;

    /// <summary>
    /// The receive buffer never makes the read loop wait (pause threshold 0): the flow-control window is what bounds
    /// it, and the read loop must never block on one slow stream.
    /// </summary>
    private static readonly PipeOptions ReceivePipeOptions = new(
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    private readonly YamuxSession session;
    private readonly long maxWindow;
    private readonly Lock gate = new();
    private readonly Pipe receive = new(ReceivePipeOptions);
    private readonly AsyncSignal sendReady = new();

    // Receive side, under gate. receiveWindow is what the peer may still send; unconsumed is what it sent that the
    // application has not read, counted from the frame header on. Window updates keep their sum at maxWindow at most.
    private long receiveWindow = YamuxOptions.InitialStreamWindowSize;
    private long unconsumed;
    private long peakUnconsumed;
    private bool remoteClosed;
    private bool readerReleased;
    private bool receiveCompleted;

    // Send side and state, under gate.
    private long sendWindow = YamuxOptions.InitialStreamWindowSize;
    private bool localClosed;
    private bool isReset;
    private YamuxException? sessionError;
    private bool holdsOpenSlot;
    private Timer? closeTimer;
    private int disposed;

    // Who may complete the receive pipe's reader (Idle, Reading, ReaderDisposed): a read in progress when the
    // stream is disposed does it on its way out.
    private int readState;

    internal YamuxStream(YamuxSession session, uint id, bool holdsOpenSlot)
    {
        this.session = session;
        Id = id;
        maxWindow = session.Options.MaxStreamWindowSize;
        this.holdsOpenSlot = holdsOpenSlot;
    }

    /// <summary>The stream id: odd when the client side opened it, even for the server side.</summary>
    public uint Id { get; }

    public YamuxSession Session => session;

    public override bool CanRead => Volatile.Read(ref disposed) == 0;

    public override bool CanWrite => Volatile.Read(ref disposed) == 0;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Unread bytes held for this stream, counted from each frame's header; for tests.</summary>
    internal long UnconsumedBytes
    {
        get
        {
            lock (gate)
            {
                return unconsumed;
            }
        }
    }

    /// <summary>The most unread bytes this stream ever held; for tests of the memory bound.</summary>
    internal long PeakUnconsumedBytes
    {
        get
        {
            lock (gate)
            {
                return peakUnconsumed;
            }
        }
    }

    internal long SendWindow
    {
        get
        {
            lock (gate)
            {
                return sendWindow;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        switch (Interlocked.CompareExchange(ref readState, Reading, Idle))
        {
            case Reading:
                throw new InvalidOperationException("yamux: concurrent reads on one stream");
            case ReaderDisposed:
                throw new ObjectDisposedException(nameof(YamuxStream));
        }

        try
        {
            return await ReadCoreAsync(buffer, cancellationToken);
        }
        finally
        {
            if (Interlocked.CompareExchange(ref readState, Idle, Reading) == ReaderDisposed)
            {
                // Disposed while this read was running: the pipe's reader may only be completed by its user.
                receive.Reader.Complete();
            }
        }
    }

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ThrowIfReset();
        var reader = receive.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var data = result.Buffer;
            if (IsReset())
            {
                reader.AdvanceTo(data.Start);
                throw ResetException();
            }

            if (Volatile.Read(ref readState) == ReaderDisposed)
            {
                reader.AdvanceTo(data.Start);
                throw new ObjectDisposedException(nameof(YamuxStream));
            }

            if (!data.IsEmpty)
            {
                if (buffer.IsEmpty)
                {
                    // A zero-byte read: data is available now, nothing is consumed.
                    reader.AdvanceTo(data.Start);
                    return 0;
                }

                var n = (int)Math.Min(data.Length, buffer.Length);
                data.Slice(0, n).CopyTo(buffer.Span);
                reader.AdvanceTo(data.GetPosition(n));
                OnConsumed(n);
                return n;
            }

            reader.AdvanceTo(data.End);
            if (result.IsCompleted)
            {
                return ReadEnd();
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Blocking read for callers that insist; it waits on the async path.</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (buffer.IsEmpty)
        {
            ThrowIfWriteFailed();
            return;
        }

        while (!buffer.IsEmpty)
        {
            int n;
            while (!TryReserveSendWindow(Math.Min(buffer.Length, MaxFramePayload), out n))
            {
                await sendReady.WaitAsync(cancellationToken);
            }

            try
            {
                await session.Writer.WriteDataAsync(this, buffer[..n], cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Cancelled while waiting for the writer: nothing was sent.
                ReturnSendWindow(n);
                throw;
            }

            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Blocking write for callers that insist; it waits on the async path.</summary>
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>Writes are on the transport when they complete; there is nothing to flush.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Half-closes: queues a FIN after every completed write. Reading goes on until the peer's FIN. Writes after
    /// this fail with <see cref="YamuxError.StreamClosed"/>. Idempotent.
    /// </summary>
    public void CloseWrite()
    {
        bool forget;
        lock (gate)
        {
            if (localClosed || isReset || sessionError is not null)
            {
                return;
            }

            localClosed = true;
            forget = remoteClosed;
        }

        session.SendControl(FrameHeader.WindowUpdate(Id, FrameFlags.Fin, 0));
        sendReady.Set();
        if (forget)
        {
            session.Forget(this);
        }
    }

    /// <summary>Aborts the stream (RST): pending and later reads and writes on both sides fail. Idempotent.</summary>
    public void Reset()
    {
        lock (gate)
        {
            if (isReset || sessionError is not null || (localClosed && remoteClosed))
            {
                return;
            }

            isReset = true;
            CompleteReceiveLocked();
            StopCloseTimerLocked();
        }

        session.SendControl(FrameHeader.WindowUpdate(Id, FrameFlags.Rst, 0));
        sendReady.Set();
        session.Forget(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            base.Dispose(disposing);
            return;
        }

        CloseWrite();
        long delta;
        lock (gate)
        {
            readerReleased = true;

            // Unread data will never be consumed: hand its window back so that the peer can finish writing and
            // send its FIN instead of stalling until the close timeout.
            unconsumed = 0;
            delta = -1;
            if (!remoteClosed && !isReset && sessionError is null)
            {
                delta = TakeWindowUpdateLocked();
                var timeout = session.Options.StreamCloseTimeout;
                if (timeout != Timeout.InfiniteTimeSpan)
                {
                    closeTimer = new Timer(static s => ((YamuxStream)s!).OnCloseTimeout(), this, timeout, Timeout.InfiniteTimeSpan);
                }
            }
        }

        if (Interlocked.Exchange(ref readState, ReaderDisposed) == Idle)
        {
            receive.Reader.Complete();
        }
        else
        {
            receive.Reader.CancelPendingRead();
        }

        if (delta > 0)
        {
            session.SendControl(FrameHeader.WindowUpdate(Id, FrameFlags.None, (uint)delta));
        }

        base.Dispose(disposing);
    }

    /// <summary>Queues the first window update: SYN when opening, ACK when accepting; it also grows the window to the maximum.</summary>
    internal void SendOpenOrAccept(FrameFlags flag)
    {
        long delta;
        lock (gate)
        {
            delta = Math.Max(0, maxWindow - unconsumed - receiveWindow);
            receiveWindow += delta;
        }

        session.SendControl(FrameHeader.WindowUpdate(Id, flag, (uint)delta));
    }

    /// <summary>Gives back the session's open slot taken by OpenStreamAsync, once: on ACK, reset or close.</summary>
    internal void ReleaseOpenSlot()
    {
        lock (gate)
        {
            if (!holdsOpenSlot)
            {
                return;
            }

            holdsOpenSlot = false;
        }

        session.ReleaseOpenSlot();
    }

    /// <summary>Why a data frame must not be sent now, or null. Checked by the writer after it drained control frames.</summary>
    internal YamuxException? GetWriteError()
    {
        lock (gate)
        {
            return GetWriteErrorLocked();
        }
    }

    private YamuxException? GetWriteErrorLocked()
    {
        if (isReset)
        {
            return ResetException();
        }

        if (sessionError is not null)
        {
            return new YamuxException(YamuxError.SessionClosed, "yamux: session closed", sessionError);
        }

        if (localClosed)
        {
            return new YamuxException(YamuxError.StreamClosed, "yamux: write after close");
        }

        return null;
    }

    private bool TryReserveSendWindow(int wanted, out int reserved)
    {
        lock (gate)
        {
            var error = GetWriteErrorLocked();
            if (error is not null)
            {
                throw error;
            }

            if (sendWindow == 0)
            {
                reserved = 0;
                return false;
            }

            reserved = (int)Math.Min(sendWindow, wanted);
            sendWindow -= reserved;
            return true;
        }
    }

    private void ReturnSendWindow(int n)
    {
        lock (gate)
        {
            sendWindow += n;
        }

        sendReady.Set();
    }

    private void ThrowIfWriteFailed()
    {
        var error = GetWriteError();
        if (error is not null)
        {
            throw error;
        }
    }

    private void OnConsumed(int n)
    {
        long delta;
        lock (gate)
        {
            unconsumed -= n;
            if (remoteClosed || isReset || sessionError is not null)
            {
                // The peer sends nothing more: no window to give back.
                return;
            }

            delta = TakeWindowUpdateLocked();
        }

        if (delta > 0)
        {
            session.SendControl(FrameHeader.WindowUpdate(Id, FrameFlags.None, (uint)delta));
        }
    }

    /// <summary>
    /// hashicorp/yamux's rule: the peer may have <c>max - unconsumed</c> in flight; the difference to what it has is
    /// sent once it reaches half the maximum, so updates are few and the window never drains while the reader
    /// keeps up. Returns the delta to send, or 0.
    /// </summary>
    private long TakeWindowUpdateLocked()
    {
        var delta = maxWindow - unconsumed - receiveWindow;
        if (delta < maxWindow / 2)
        {
            return 0;
        }

        receiveWindow += delta;
        return delta;
    }

    private void CompleteReceiveLocked()
    {
        if (!receiveCompleted)
        {
            receiveCompleted = true;
            receive.Writer.Complete();
        }
    }

    private void StopCloseTimerLocked()
    {
        closeTimer?.Dispose();
        closeTimer = null;
    }

    private void OnCloseTimeout()
    {
        lock (gate)
        {
            StopCloseTimerLocked();
            if (remoteClosed || isReset || sessionError is not null)
            {
                return;
            }

            // The peer never sent its FIN: reset so that both sides free the stream (hashicorp does the same).
            isReset = true;
            CompleteReceiveLocked();
        }

        session.SendControl(FrameHeader.WindowUpdate(Id, FrameFlags.Rst, 0));
        sendReady.Set();
        session.Forget(this);
    }

    private bool IsReset()
    {
        lock (gate)
        {
            return isReset;
        }
    }

    private void ThrowIfReset()
    {
        if (IsReset())
        {
            throw ResetException();
        }
    }

    private int ReadEnd()
    {
        lock (gate)
        {
            if (remoteClosed)
            {
                return 0;
            }

            if (isReset)
            {
                throw ResetException();
            }

            // The session ended before the peer's FIN: the data is truncated, which must not look like an end.
            throw new YamuxException(YamuxError.SessionClosed, "yamux: session closed", sessionError);
        }
    }

    private static YamuxException ResetException() => new(YamuxError.StreamReset, "yamux: stream reset");
}
