using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;

namespace Lode.Hooks.Calls;

/// <summary>
/// One gRPC call on an HTTP/2 connection of its own over a unix socket (h2c with prior knowledge): what a hook needs
/// to reach HookService, and nothing more. A hook process makes exactly one call, and Grpc.Net.Client's first call
/// (handler, connection pool, HTTP/2 machinery) cost about 4 ms of every hook's ~9; this client writes the preface,
/// SETTINGS and the request headers in one go and keeps only the state one stream needs: both flow-control windows,
/// the HPACK table of the response headers, and the messages received so far.
/// <para>
/// It is synchronous on purpose: one reader thread takes frames off the socket while the caller writes and reads, so a
/// hook starts no thread pool (whose idle workers spinning for work cost a short-lived process a fifth of its CPU).
/// </para>
/// </summary>
internal sealed class UnixGrpcCall : IDisposable
{
    private const int StreamId = 1;

    /// <summary>How much the server may send before this client acknowledges it (stream and connection alike).</summary>
    private const int ReceiveWindow = 1 << 20;

    /// <summary>The largest response message accepted; HookService sends output in chunks far below it.</summary>
    private const int MaxMessageBytes = 64 << 20;

    private readonly UnixSocketStream stream;
    private readonly Lock writeLock = new();
    private readonly HpackDecoder headerDecoder = new();
    private readonly GrpcMessageAssembler assembler = new(MaxMessageBytes);
    private readonly Thread reader;

    /// <summary>Guards the fields below; waiters (readers of messages, writers short of window) wait on it.</summary>
    private readonly object state = new();
    private readonly Queue<byte[]> messages = new();
    private long queuedBytes;
    private long ungrantedBytes;
    private long connectionSendWindow = Http2Frame.DefaultWindow;
    private long streamSendWindow = Http2Frame.DefaultWindow;
    private int peerInitialWindow = Http2Frame.DefaultWindow;
    private int peerMaxFrame = Http2Frame.DefaultMaxPayload;
    private bool responseHeadersSeen;
    private bool ended;
    private Exception? failure;
    private (StatusCode Code, string Detail)? status;

    private UnixGrpcCall(UnixSocketStream stream)
    {
        this.stream = stream;
        reader = new Thread(ReadLoop) { IsBackground = true, Name = "grpc reader" };
    }

    /// <summary>
    /// Connects to <paramref name="socketPath"/> and sends the request headers of <paramref name="method"/>
    /// (<c>/package.Service/Method</c>) with the first <paramref name="requests"/>, and the end of the requests when
    /// <paramref name="complete"/>: a small call goes out in a single write, which is one wake-up for the server.
    /// </summary>
    public static UnixGrpcCall Start(string socketPath, string method, IEnumerable<KeyValuePair<string, string>> metadata,
        IReadOnlyList<IMessage>? requests = null, bool complete = false)
    {
        var framed = new List<byte[]>();
        var framedBytes = 0L;
        foreach (var request in requests ?? [])
        {
            framed.Add(Frame(request));
            framedBytes += framed[^1].Length;
        }

        var inOpening = framedBytes <= Http2Frame.DefaultWindow;
        var call = new UnixGrpcCall(UnixSocketStream.Connect(socketPath));
        try
        {
            call.SendOpening(method, metadata, inOpening ? framed : [], inOpening && complete);
        }
        catch
        {
            call.stream.Dispose();
            throw;
        }

        call.reader.Start();
        if (!inOpening)
        {
            // Larger than the window every server grants at first: sent as the server's SETTINGS and updates allow.
            try
            {
                foreach (var message in framed)
                {
                    call.SendData(message, endStream: false);
                }

                if (complete)
                {
                    call.Complete();
                }
            }
            catch
            {
                call.Dispose();
                throw;
            }
        }

        return call;
    }

    /// <summary>True once the response stream ended (with a status or a broken connection): nothing more will arrive.</summary>
    public bool HasEnded
    {
        get
        {
            lock (state)
            {
                return ended;
            }
        }
    }

    /// <summary>Sends one request message, waiting while the server's windows are closed.</summary>
    public void Write(IMessage message) => SendData(Frame(message), endStream: false);

    /// <summary>Ends the request stream: the server's reader sees the end of the requests.</summary>
    public void Complete() => SendData([], endStream: true);

    /// <summary>
    /// The next response message, or null once the call ended with OK; a call that ended with another status, or a
    /// connection that broke first, throws <see cref="GrpcCallException"/>.
    /// </summary>
    public T? Read<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        byte[] message;
        long grant;
        lock (state)
        {
            while (messages.Count == 0 && !ended)
            {
                Monitor.Wait(state);
            }

            if (messages.Count == 0)
            {
                if (failure is not null)
                {
                    throw new GrpcCallException(StatusCode.Unavailable, failure.Message);
                }

                var (code, detail) = status ?? (StatusCode.Internal, "the call ended without a status");
                return code == StatusCode.OK ? null : throw new GrpcCallException(code, detail);
            }

            message = messages.Dequeue();
            queuedBytes -= message.Length;
            grant = TakeDueGrant();
        }

        if (grant > 0)
        {
            SendWindowUpdate(grant);
        }

        return parser.ParseFrom(message);
    }

    /// <summary>Closes the connection, which is how an unfinished call is cancelled: the server aborts its stream.</summary>
    public void Dispose()
    {
        stream.Shutdown();
        reader.Join();
        stream.Dispose();
    }

    /// <summary>A message with gRPC's prefix: not compressed, then its length as 4 big-endian octets.</summary>
    private static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var framed = new byte[GrpcMessageAssembler.PrefixLength + size];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), size);
        message.WriteTo(framed.AsSpan(GrpcMessageAssembler.PrefixLength));
        return framed;
    }

    /// <summary>
    /// Preface, SETTINGS, the connection's larger receive window, the request HEADERS and the <paramref name="framed"/>
    /// messages (which fit in the initial windows), in one write.
    /// </summary>
    private void SendOpening(string method, IEnumerable<KeyValuePair<string, string>> metadata, List<byte[]> framed, bool endStream)
    {
        var block = new ArrayBufferWriter<byte>(1024);
        HpackEncoder.WriteField(block, ":method", "POST");
        HpackEncoder.WriteField(block, ":scheme", "http");
        HpackEncoder.WriteField(block, ":path", method);
        HpackEncoder.WriteField(block, ":authority", "localhost");
        HpackEncoder.WriteField(block, "content-type", "application/grpc");
        HpackEncoder.WriteField(block, "te", "trailers");
        foreach (var (name, value) in metadata)
        {
            HpackEncoder.WriteField(block, name, value);
        }

        var opening = new ArrayBufferWriter<byte>(block.WrittenCount + 128);
        opening.Write(Http2Frame.ClientPreface);

        Span<byte> settings = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(settings, Http2Settings.EnablePush);
        BinaryPrimitives.WriteUInt32BigEndian(settings[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(settings[6..], Http2Settings.InitialWindowSize);
        BinaryPrimitives.WriteUInt32BigEndian(settings[8..], ReceiveWindow);
        AppendFrame(opening, Http2FrameType.Settings, 0, 0, settings);

        Span<byte> increment = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(increment, ReceiveWindow - Http2Frame.DefaultWindow);
        AppendFrame(opening, Http2FrameType.WindowUpdate, 0, 0, increment);

        // Headers beyond one frame continue in CONTINUATION frames; only the last carries END_HEADERS.
        var headers = block.WrittenSpan;
        var type = Http2FrameType.Headers;
        do
        {
            var part = headers[..Math.Min(headers.Length, Http2Frame.DefaultMaxPayload)];
            headers = headers[part.Length..];
            AppendFrame(opening, type, headers.IsEmpty ? Http2Flags.EndHeaders : (byte)0, StreamId, part);
            type = Http2FrameType.Continuation;
        }
        while (!headers.IsEmpty);

        var requests = new ArrayBufferWriter<byte>();
        foreach (var message in framed)
        {
            requests.Write(message);
        }

        var data = requests.WrittenSpan;
        connectionSendWindow -= data.Length;
        streamSendWindow -= data.Length;
        while (!data.IsEmpty || endStream)
        {
            var part = data[..Math.Min(data.Length, Http2Frame.DefaultMaxPayload)];
            data = data[part.Length..];
            var last = data.IsEmpty && endStream;
            AppendFrame(opening, Http2FrameType.Data, last ? Http2Flags.EndStream : (byte)0, StreamId, part);
            if (last)
            {
                break;
            }
        }

        stream.Write(opening.WrittenSpan);
    }

    /// <summary>Sends <paramref name="data"/> in DATA frames as the server's windows and frame size allow.</summary>
    private void SendData(ReadOnlySpan<byte> data, bool endStream)
    {
        var offset = 0;
        do
        {
            int chunk;
            lock (state)
            {
                while (!ended && data.Length > offset && Math.Min(connectionSendWindow, streamSendWindow) <= 0)
                {
                    Monitor.Wait(state);
                }

                if (failure is not null)
                {
                    throw new GrpcCallException(StatusCode.Unavailable, failure.Message);
                }

                if (ended)
                {
                    // The server answered without reading the rest (a refusal, say): its status is what counts.
                    return;
                }

                chunk = (int)Math.Min(Math.Min(data.Length - offset, peerMaxFrame), Math.Min(connectionSendWindow, streamSendWindow));
                chunk = Math.Max(chunk, 0);
                connectionSendWindow -= chunk;
                streamSendWindow -= chunk;
            }

            var last = offset + chunk == data.Length;
            WriteFrame(Http2FrameType.Data, last && endStream ? Http2Flags.EndStream : (byte)0, StreamId, data.Slice(offset, chunk));
            offset += chunk;
        }
        while (offset < data.Length);
    }

    private void WriteFrame(Http2FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = ArrayPool<byte>.Shared.Rent(Http2Frame.HeaderLength + payload.Length);
        try
        {
            Http2Frame.WriteHeader(frame, payload.Length, type, flags, streamId);
            payload.CopyTo(frame.AsSpan(Http2Frame.HeaderLength));
            lock (writeLock)
            {
                stream.Write(frame, 0, Http2Frame.HeaderLength + payload.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private static void AppendFrame(ArrayBufferWriter<byte> output, Http2FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        Http2Frame.WriteHeader(output.GetSpan(Http2Frame.HeaderLength), payload.Length, type, flags, streamId);
        output.Advance(Http2Frame.HeaderLength);
        output.Write(payload);
    }

    /// <summary>The reader thread: frames until the response stream ends, queueing messages and answering control frames.</summary>
    private void ReadLoop()
    {
        Exception? error = null;
        try
        {
            var header = new byte[Http2Frame.HeaderLength];
            var headerBlock = new ArrayBufferWriter<byte>();
            var blockEndsStream = false;
            var streamEnded = false;
            while (!streamEnded)
            {
                if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
                {
                    throw new IOException("the server closed the connection before the call ended");
                }

                var (length, type, flags, streamId) = Http2Frame.ReadHeader(header);
                if (length > Http2Frame.DefaultMaxPayload)
                {
                    throw new InvalidDataException($"the server sent a {length}-byte frame, more than this client allows");
                }

                var payload = new byte[length];
                stream.ReadExactly(payload);
                switch (type)
                {
                    case Http2FrameType.Data when streamId == StreamId:
                        OnData(Unpad(payload, flags), payload.Length);
                        streamEnded = (flags & Http2Flags.EndStream) != 0;
                        break;
                    case Http2FrameType.Headers or Http2FrameType.Continuation when streamId == StreamId:
                        if (type == Http2FrameType.Headers)
                        {
                            headerBlock.Clear();
                            blockEndsStream = (flags & Http2Flags.EndStream) != 0;
                            headerBlock.Write(HeaderBlockFragment(payload, flags));
                        }
                        else
                        {
                            headerBlock.Write(payload);
                        }

                        if ((flags & Http2Flags.EndHeaders) != 0)
                        {
                            OnHeaders(headerDecoder.Decode(headerBlock.WrittenSpan));
                            streamEnded = blockEndsStream;
                        }

                        break;
                    case Http2FrameType.RstStream when streamId == StreamId:
                        throw new IOException($"the server reset the call (HTTP/2 error {BinaryPrimitives.ReadUInt32BigEndian(payload)})");
                    case Http2FrameType.Settings when (flags & Http2Flags.Ack) == 0:
                        ApplySettings(payload);
                        WriteFrame(Http2FrameType.Settings, Http2Flags.Ack, 0, []);
                        break;
                    case Http2FrameType.Ping when (flags & Http2Flags.Ack) == 0:
                        WriteFrame(Http2FrameType.Ping, Http2Flags.Ack, 0, payload);
                        break;
                    case Http2FrameType.GoAway when BinaryPrimitives.ReadInt32BigEndian(payload) < StreamId:
                        throw new IOException($"the server refused the call (HTTP/2 GOAWAY, error {BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))})");
                    case Http2FrameType.WindowUpdate:
                        GrowSendWindow(streamId, BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue);
                        break;
                    case Http2FrameType.PushPromise:
                        throw new InvalidDataException("the server pushed a stream, which this client disabled");
                    default:
                        // PRIORITY, acknowledgements, a GOAWAY that still lets this stream finish, unknown types.
                        break;
                }
            }

            if (assembler.InsideMessage)
            {
                throw new InvalidDataException("the response ended inside a message");
            }
        }
        catch (Exception e)
        {
            // Whatever ends the reader thread ends the call: it is reported to the caller, never left unhandled.
            error = e;
        }
        finally
        {
            lock (state)
            {
                // Everyone waiting (for a message, for window) learns the call's fate instead of waiting forever.
                failure = error;
                ended = true;
                Monitor.PulseAll(state);
            }
        }
    }

    /// <summary>Queues the messages <paramref name="data"/> completes; <paramref name="frameLength"/> (padding included) counts against the window.</summary>
    private void OnData(ReadOnlyMemory<byte> data, int frameLength)
    {
        if (!responseHeadersSeen)
        {
            throw new InvalidDataException("the server sent data before its headers");
        }

        var complete = assembler.Add(data.Span);
        long grant;
        lock (state)
        {
            foreach (var message in complete)
            {
                messages.Enqueue(message);
                queuedBytes += message.Length;
            }

            ungrantedBytes += frameLength;
            grant = TakeDueGrant();
            if (complete.Count > 0)
            {
                Monitor.PulseAll(state);
            }
        }

        if (grant > 0)
        {
            SendWindowUpdate(grant);
        }
    }

    /// <summary>
    /// The window to give back now, if any: in large steps rather than per frame, and only while the caller keeps up, so
    /// a caller that stops reading stops the server instead of filling memory. Called under <see cref="state"/>.
    /// </summary>
    private long TakeDueGrant()
    {
        if (ungrantedBytes < ReceiveWindow / 2 || queuedBytes >= ReceiveWindow / 2)
        {
            return 0;
        }

        var grant = ungrantedBytes;
        ungrantedBytes = 0;
        return grant;
    }

    private void SendWindowUpdate(long grant)
    {
        Span<byte> increment = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(increment, (int)grant);
        try
        {
            WriteFrame(Http2FrameType.WindowUpdate, 0, 0, increment);
            WriteFrame(Http2FrameType.WindowUpdate, 0, StreamId, increment);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The connection is gone; the reader thread reports it.
        }
    }

    /// <summary>The response headers (which must say 200), then the trailers with the call's status.</summary>
    private void OnHeaders(List<(string Name, string Value)> fields)
    {
        string? httpStatus = null;
        string? grpcStatus = null;
        var grpcMessage = "";
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case ":status":
                    httpStatus = value;
                    break;
                case "grpc-status":
                    grpcStatus = value;
                    break;
                case "grpc-message":
                    grpcMessage = Uri.UnescapeDataString(value);
                    break;
            }
        }

        if (!responseHeadersSeen)
        {
            if (httpStatus != "200")
            {
                throw new InvalidDataException($"the server answered HTTP status {httpStatus ?? "(none)"}");
            }

            responseHeadersSeen = true;
        }

        if (grpcStatus is not null)
        {
            var parsed = int.TryParse(grpcStatus, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                ? ((StatusCode)code, grpcMessage)
                : (StatusCode.Internal, $"invalid grpc-status \"{grpcStatus}\"");
            lock (state)
            {
                status = parsed;
            }
        }
    }

    private void ApplySettings(ReadOnlySpan<byte> payload)
    {
        if (payload.Length % 6 != 0)
        {
            throw new InvalidDataException("malformed HTTP/2 SETTINGS frame");
        }

        lock (state)
        {
            for (var i = 0; i < payload.Length; i += 6)
            {
                var id = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
                var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
                switch (id)
                {
                    case Http2Settings.InitialWindowSize when value <= int.MaxValue:
                        // A new initial window moves the open stream's window by the difference (RFC 9113 §6.9.2).
                        streamSendWindow += (int)value - peerInitialWindow;
                        peerInitialWindow = (int)value;
                        break;
                    case Http2Settings.MaxFrameSize when value is >= Http2Frame.DefaultMaxPayload and <= 16_777_215:
                        peerMaxFrame = (int)value;
                        break;
                }
            }

            Monitor.PulseAll(state);
        }
    }

    private void GrowSendWindow(int streamId, int increment)
    {
        lock (state)
        {
            if (streamId == 0)
            {
                connectionSendWindow += increment;
            }
            else if (streamId == StreamId)
            {
                streamSendWindow += increment;
            }

            Monitor.PulseAll(state);
        }
    }

    /// <summary>A DATA frame's content without its padding.</summary>
    private static ReadOnlyMemory<byte> Unpad(byte[] payload, byte flags)
    {
        if ((flags & Http2Flags.Padded) == 0)
        {
            return payload;
        }

        var padding = payload.Length > 0 ? payload[0] : int.MaxValue;
        return padding < payload.Length
            ? payload.AsMemory(1, payload.Length - 1 - padding)
            : throw new InvalidDataException("malformed HTTP/2 padding");
    }

    /// <summary>A HEADERS frame's block fragment, without padding and priority fields.</summary>
    private static ReadOnlySpan<byte> HeaderBlockFragment(byte[] payload, byte flags)
    {
        var start = 0;
        var end = payload.Length;
        if ((flags & Http2Flags.Padded) != 0)
        {
            end -= payload.Length > 0 ? payload[0] : int.MaxValue;
            start = 1;
        }

        if ((flags & Http2Flags.Priority) != 0)
        {
            start += 5;
        }

        return start <= end
            ? payload.AsSpan(start, end - start)
            : throw new InvalidDataException("malformed HTTP/2 HEADERS frame");
    }
}
