using System.Buffers;

namespace Lode.Yamux;

/// <summary>The read loop: parses frames from the transport and hands them to streams, pings and go-away handling.</summary>
public sealed partial class YamuxSession
{
    // Read loop state for a data frame whose payload is still arriving. Payload is handed to the stream as it
    // arrives instead of after the whole frame, so a large frame is never buffered twice.
    private YamuxStream? payloadStream;
    private bool payloadKept;
    private FrameFlags payloadFlags;
    private long payloadRemaining;

    private async Task ReadLoopAsync()
    {
        YamuxException? error = null;
        GoAwayCode? goAway = null;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                var consumed = Process(buffer);
                if (result.IsCompleted)
                {
                    error = payloadRemaining > 0 || buffer.Slice(consumed).Length > 0
                        ? new YamuxException(YamuxError.ConnectionClosed, "yamux: transport closed in the middle of a frame")
                        : new YamuxException(YamuxError.ConnectionClosed, "yamux: transport closed by the peer");
                    input.AdvanceTo(buffer.End);
                    break;
                }

                input.AdvanceTo(consumed, buffer.End);
            }
        }
        catch (YamuxException e)
        {
            error = e;
            if (e.Error == YamuxError.ProtocolError)
            {
                goAway = GoAwayCode.ProtocolError;
            }
        }
        catch (Exception e) when (IsClosed)
        {
            // The transport was closed under us by a local shutdown.
            _ = e;
        }
        catch (IOException e)
        {
            error = new YamuxException(YamuxError.ConnectionClosed, "yamux: transport read failed", e);
        }
        catch (ObjectDisposedException e)
        {
            error = new YamuxException(YamuxError.ConnectionClosed, "yamux: transport read failed", e);
        }
        catch (Exception e)
        {
            // A bug on this side: tell the peer, as hashicorp's internal-error GoAway intends.
            error = new YamuxException(YamuxError.InternalError, "yamux: internal error in the read loop", e);
            goAway = GoAwayCode.InternalError;
        }
        finally
        {
            await input.CompleteAsync();
        }

        BeginShutdown(error, goAway);
    }

    /// <summary>Handles every complete header and any payload in <paramref name="buffer"/>; returns how far it got.</summary>
    private SequencePosition Process(ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            if (payloadRemaining > 0)
            {
                if (buffer.IsEmpty)
                {
                    break;
                }

                var take = Math.Min(payloadRemaining, buffer.Length);
                if (payloadKept)
                {
                    payloadStream!.OnData(buffer.Slice(0, take));
                }

                buffer = buffer.Slice(take);
                payloadRemaining -= take;
                if (payloadRemaining == 0)
                {
                    EndDataFrame();
                }

                continue;
            }

            if (buffer.Length < FrameHeader.Size)
            {
                // Fail fast on a peer that is not speaking yamux at all, instead of waiting for 12 bytes it may never send.
                if (!buffer.IsEmpty && buffer.FirstSpan[0] != FrameHeader.ProtocolVersion)
                {
                    throw ProtocolViolation("invalid version " + buffer.FirstSpan[0]);
                }

                break;
            }

            var header = FrameHeader.Read(buffer, out var version);
            buffer = buffer.Slice(FrameHeader.Size);
            if (version != FrameHeader.ProtocolVersion)
            {
                throw ProtocolViolation("invalid version " + version);
            }

            switch (header.Type)
            {
                case FrameType.Data:
                case FrameType.WindowUpdate:
                    OnStreamFrame(header);
                    break;
                case FrameType.Ping:
                    OnPing(header);
                    break;
                case FrameType.GoAway:
                    OnGoAway(header);
                    break;
                default:
                    throw ProtocolViolation("invalid message type " + (byte)header.Type);
            }
        }

        return buffer.Start;
    }

    private void OnStreamFrame(in FrameHeader header)
    {
        if (header.StreamId == 0)
        {
            throw ProtocolViolation("stream frame for stream 0");
        }

        // No window this side ever grants is larger, so a longer frame is an error even for a stale stream; this
        // also stops garbage from making us skip gigabytes.
        if (header.Type == FrameType.Data && header.Length > Options.MaxStreamWindowSize)
        {
            throw ProtocolViolation("data frame larger than any window");
        }

        var flags = header.Flags;
        var stream = (flags & FrameFlags.Syn) != 0 ? OnIncomingSyn(header.StreamId) : Find(header.StreamId);

        if (stream is not null && (flags & FrameFlags.Ack) != 0)
        {
            stream.ReleaseOpenSlot();
        }

        if (header.Type == FrameType.WindowUpdate)
        {
            if (stream is not null)
            {
                if (header.Length > 0)
                {
                    stream.OnWindowUpdate(header.Length);
                }

                ApplyCloseFlags(stream, flags);
            }

            return;
        }

        payloadStream = stream;
        payloadFlags = flags;
        payloadRemaining = header.Length;
        payloadKept = stream is not null && (flags & FrameFlags.Rst) == 0 && header.Length > 0 && stream.OnDataHeader(header.Length);
        if (header.Length == 0)
        {
            EndDataFrame();
        }
    }

    /// <summary>FIN and RST take effect after the frame's payload, so a reader sees the data before the end.</summary>
    private void EndDataFrame()
    {
        var stream = payloadStream;
        payloadStream = null;
        payloadKept = false;
        if (stream is not null)
        {
            ApplyCloseFlags(stream, payloadFlags);
        }
    }

    private static void ApplyCloseFlags(YamuxStream stream, FrameFlags flags)
    {
        if ((flags & FrameFlags.Rst) != 0)
        {
            stream.OnRemoteReset();
        }
        else if ((flags & FrameFlags.Fin) != 0)
        {
            stream.OnRemoteFin();
        }
    }

    /// <summary>A SYN: registers and queues the new stream, or refuses it with RST (go-away sent, backlog full). Null when refused.</summary>
    private YamuxStream? OnIncomingSyn(uint id)
    {
        // The client opens odd ids, the server even ones; a SYN with our own parity is not the peer's to send.
        if ((id & 1) == (isClient ? 1u : 0u))
        {
            throw ProtocolViolation("SYN with this side's stream id parity");
        }

        YamuxStream? stream = null;
        lock (gate)
        {
            if (streams.ContainsKey(id))
            {
                throw ProtocolViolation("duplicate stream id");
            }

            // SYNs need not arrive in id order (hashicorp assigns ids before queueing the SYN), so any unused id is
            // accepted; the highest one seen marks which later non-SYN frames can belong to a real stream.
            if (id > highestPeerStreamId)
            {
                highestPeerStreamId = id;
            }

            if (!localGoAway && !shuttingDown)
            {
                stream = new YamuxStream(this, id, holdsOpenSlot: false);
                streams.Add(id, stream);
                if (!acceptQueue.Writer.TryWrite(stream))
                {
                    streams.Remove(id);
                    stream = null;
                }
            }
        }

        if (stream is null)
        {
            SendControl(FrameHeader.WindowUpdate(id, FrameFlags.Rst, 0));
        }

        return stream;
    }

    /// <summary>
    /// The stream for a non-SYN frame, or null for a stream that existed and is gone (a frame in flight when it was
    /// reset or closed; dropped, as hashicorp does). A stream that never existed is a protocol error.
    /// </summary>
    private YamuxStream? Find(uint id)
    {
        lock (gate)
        {
            if (streams.TryGetValue(id, out var stream))
            {
                return stream;
            }

            var ours = (id & 1) == (isClient ? 1u : 0u);
            if (ours ? id >= nextStreamId : id > highestPeerStreamId)
            {
                throw ProtocolViolation("frame for a stream that was never opened");
            }

            return null;
        }
    }

    private void OnPing(in FrameHeader header)
    {
        if ((header.Flags & FrameFlags.Syn) != 0)
        {
            SendControl(FrameHeader.Ping(FrameFlags.Ack, header.Length));
            return;
        }

        if ((header.Flags & FrameFlags.Ack) != 0)
        {
            TaskCompletionSource? answered;
            lock (gate)
            {
                pings.Remove(header.Length, out answered);
            }

            answered?.TrySetResult();
        }
    }

    private void OnGoAway(in FrameHeader header)
    {
        switch ((GoAwayCode)header.Length)
        {
            case GoAwayCode.Normal:
                lock (gate)
                {
                    remoteGoAway = true;
                }

                break;
            case GoAwayCode.ProtocolError:
                throw new YamuxException(YamuxError.RemoteProtocolError, "yamux: peer reported a protocol error");
            default:
                throw new YamuxException(YamuxError.RemoteInternalError, "yamux: peer went away with an internal error");
        }
    }
}
