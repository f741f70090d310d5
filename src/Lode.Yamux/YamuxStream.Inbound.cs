using System.Buffers;

namespace Lode.Yamux;

/// <summary>What the session's read loop (and its shutdown) delivers to a stream: data, window, FIN, RST, the end.</summary>
public sealed partial class YamuxStream
{
    /// <summary>Read loop: a data frame's header. Returns whether its payload is to be kept (false: dropped).</summary>
    internal bool OnDataHeader(uint length)
    {
        long delta;
        lock (gate)
        {
            if (isReset || sessionError is not null)
            {
                return false;
            }

            if (remoteClosed)
            {
                throw YamuxSession.ProtocolViolation("data after FIN");
            }

            if (length > receiveWindow)
            {
                throw YamuxSession.ProtocolViolation("receive window exceeded");
            }

            receiveWindow -= length;
            if (!readerReleased)
            {
                unconsumed += length;
                if (unconsumed > peakUnconsumed)
                {
                    peakUnconsumed = unconsumed;
                }

                return true;
            }

            // Disposed: the data is dropped at once, so its window comes straight back.
            delta = TakeWindowUpdateLocked();
        }

        if (delta > 0)
        {
            session.SendControl(FrameHeader.WindowUpdate(Id, FrameFlags.None, (uint)delta));
        }

        return false;
    }

    /// <summary>Read loop: part of a data frame's payload whose header was accepted by <see cref="OnDataHeader"/>.</summary>
    internal void OnData(in ReadOnlySequence<byte> chunk)
    {
        lock (gate)
        {
            if (readerReleased || receiveCompleted)
            {
                return;
            }

            var writer = receive.Writer;
            foreach (var segment in chunk)
            {
                writer.Write(segment.Span);
            }

            // Never waits (pause threshold 0); it publishes the bytes and wakes a pending read.
            var flush = writer.FlushAsync(CancellationToken.None);
            if (!flush.IsCompleted)
            {
                throw new InvalidOperationException("yamux: receive pipe flush did not complete synchronously");
            }

            _ = flush.Result;
        }
    }

    internal void OnRemoteFin()
    {
        bool forget;
        lock (gate)
        {
            if (isReset || sessionError is not null)
            {
                return;
            }

            if (remoteClosed)
            {
                throw YamuxSession.ProtocolViolation("duplicate FIN");
            }

            remoteClosed = true;
            CompleteReceiveLocked();
            StopCloseTimerLocked();
            forget = localClosed;
        }

        if (forget)
        {
            session.Forget(this);
        }
    }

    internal void OnRemoteReset()
    {
        lock (gate)
        {
            if (isReset || sessionError is not null)
            {
                return;
            }

            isReset = true;
            CompleteReceiveLocked();
            StopCloseTimerLocked();
        }

        sendReady.Set();
        session.Forget(this);
    }

    internal void OnWindowUpdate(uint delta)
    {
        lock (gate)
        {
            sendWindow += delta;
            if (sendWindow > uint.MaxValue)
            {
                throw YamuxSession.ProtocolViolation("send window overflow");
            }
        }

        sendReady.Set();
    }

    internal void OnSessionClosed(YamuxException error)
    {
        lock (gate)
        {
            sessionError ??= error;
            CompleteReceiveLocked();
            StopCloseTimerLocked();
            holdsOpenSlot = false;
        }

        sendReady.Set();
    }
}
