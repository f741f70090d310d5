using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;

namespace Lode.Hooks.Calls;

/// <summary>
/// One gRPC call on an HTTP/2 connection of its own over a unix socket (h2c with prior knowledge): what a hook needs
/// to reach HookService, and nothing more. A hook process makes exactly one call, and Grpc.Net.Client's first call
/// (handler, connection pool, HTTP/2 machinery) cost about 4 ms of every hook's ~9; this client writes the preface,
/// SETTINGS and the request headers in one go and keeps only the state one stream needs: both flow-control windows,
/// the HPACK table of the response headers, and the messages received so far.
/// </summary>
internal sealed class UnixGrpcCall : IAsyncDisposable
{
    private const int StreamId = 1;

    /// <summary>How much the server may send before this client acknowledges it (stream and connection alike).</summary>
    private const int ReceiveWindow = 1 << 20;

    /// <summary>The largest response message accepted; HookService sends output in chunks far below it.</summary>
    private const int MaxMessageBytes = 64 << 20;

    /// <summary>Received messages waiting to be read; when full, reading from the socket pauses.</summary>
    private const int QueuedMessages = 16;

    private readonly NetworkStream stream;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly CancellationTokenSource closing = new();
    private readonly Channel<byte[]> messages = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(QueuedMessages) { SingleReader = true, SingleWriter = true });
    private readonly HpackDecoder headerDecoder = new();
    private readonly GrpcMessageAssembler assembler = new(MaxMessageBytes);

    private readonly Lock windowLock = new();
    private long connectionSendWindow = Http2Frame.DefaultWindow;
    private long streamSendWindow = Http2Frame.DefaultWindow;
    private int peerInitialWindow = Http2Frame.DefaultWindow;
    private int peerMaxFrame = Http2Frame.DefaultMaxPayload;
    private TaskCompletionSource windowGrew = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? connectionFailure;

    private int unacknowledgedBytes;
    private bool responseHeadersSeen;
    private (StatusCode Code, string Detail)? status;
    private Task reading = Task.CompletedTask;

    private UnixGrpcCall(Socket socket)
    {
        stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Connects to <paramref name="socketPath"/> and sends the request headers of <paramref name="method"/> (<c>/package.Service/Method</c>).</summary>
    public static async Task<UnixGrpcCall> StartAsync(string socketPath, string method, IEnumerable<KeyValuePair<string, string>> metadata,
        CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var call = new UnixGrpcCall(socket);
        try
        {
            await call.SendOpeningAsync(method, metadata, cancellationToken);
        }
        catch
        {
            await call.DisposeAsync();
            throw;
        }

        call.reading = Task.Run(call.ReadLoopAsync, CancellationToken.None);
        return call;
    }

    /// <summary>Sends one request message.</summary>
    public Task WriteAsync(IMessage message, CancellationToken cancellationToken = default)
    {
        var size = message.CalculateSize();
        var framed = new byte[GrpcMessageAssembler.PrefixLength + size];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), size);
        message.WriteTo(framed.AsSpan(GrpcMessageAssembler.PrefixLength));
        return SendDataAsync(framed, endStream: false, cancellationToken);
    }

    /// <summary>Ends the request stream: the server's reader sees the end of the requests.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken = default) =>
        SendDataAsync(ReadOnlyMemory<byte>.Empty, endStream: true, cancellationToken);

    /// <summary>
    /// The next response message, or null once the call ended with OK; a call that ended with another status, or a
    /// connection that broke first, throws <see cref="GrpcCallException"/>.
    /// </summary>
    public async Task<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        try
        {
            while (await messages.Reader.WaitToReadAsync(cancellationToken))
            {
                if (messages.Reader.TryRead(out var message))
                {
                    return parser.ParseFrom(message);
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SocketException or ObjectDisposedException)
        {
            throw new GrpcCallException(StatusCode.Unavailable, e.Message);
        }

        var (code, detail) = status ?? (StatusCode.Internal, "the call ended without a status");
        return code == StatusCode.OK ? null : throw new GrpcCallException(code, detail);
    }

    public async ValueTask DisposeAsync()
    {
        // Closing the connection is how an unfinished call is cancelled: the server aborts its stream.
        await closing.CancelAsync();
        await stream.DisposeAsync();
        await reading;
        closing.Dispose();
        writeLock.Dispose();
    }

    /// <summary>Preface, SETTINGS, the connection's larger receive window and the request HEADERS, in one write.</summary>
    private async Task SendOpeningAsync(string method, IEnumerable<KeyValuePair<string, string>> metadata, CancellationToken cancellationToken)
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

        await stream.WriteAsync(opening.WrittenMemory, cancellationToken);
    }

    /// <summary>Sends <paramref name="data"/> in DATA frames as the peer's windows and frame size allow.</summary>
    private async Task SendDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        var offset = 0;
        do
        {
            int chunk;
            while (true)
            {
                Task grew;
                lock (windowLock)
                {
                    if (connectionFailure is not null)
                    {
                        throw new GrpcCallException(StatusCode.Unavailable, connectionFailure.Message);
                    }

                    var remaining = data.Length - offset;
                    var allowed = (int)Math.Min(Math.Min(connectionSendWindow, streamSendWindow), peerMaxFrame);
                    if (remaining == 0 || allowed > 0)
                    {
                        chunk = Math.Min(remaining, Math.Max(allowed, 0));
                        connectionSendWindow -= chunk;
                        streamSendWindow -= chunk;
                        break;
                    }

                    grew = windowGrew.Task;
                }

                await grew.WaitAsync(cancellationToken);
            }

            var last = offset + chunk == data.Length;
            await WriteFrameAsync(Http2FrameType.Data, last && endStream ? Http2Flags.EndStream : (byte)0, StreamId,
                data.Slice(offset, chunk), cancellationToken);
            offset += chunk;
        }
        while (offset < data.Length);
    }

    private async Task WriteFrameAsync(Http2FrameType type, byte flags, int streamId, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default)
    {
        var frame = ArrayPool<byte>.Shared.Rent(Http2Frame.HeaderLength + payload.Length);
        try
        {
            Http2Frame.WriteHeader(frame, payload.Length, type, flags, streamId);
            payload.Span.CopyTo(frame.AsSpan(Http2Frame.HeaderLength));
            await writeLock.WaitAsync(cancellationToken);
            try
            {
                await stream.WriteAsync(frame.AsMemory(0, Http2Frame.HeaderLength + payload.Length), cancellationToken);
            }
            finally
            {
                writeLock.Release();
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

    /// <summary>Reads frames until the response stream ends, queueing messages and answering the connection's control frames.</summary>
    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            var header = new byte[Http2Frame.HeaderLength];
            var headerBlock = new ArrayBufferWriter<byte>();
            var blockEndsStream = false;
            var streamEnded = false;
            while (!streamEnded)
            {
                if (await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, closing.Token) < header.Length)
                {
                    throw new IOException("the server closed the connection before the call ended");
                }

                var (length, type, flags, streamId) = Http2Frame.ReadHeader(header);
                if (length > Http2Frame.DefaultMaxPayload)
                {
                    throw new InvalidDataException($"the server sent a {length}-byte frame, more than this client allows");
                }

                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload, closing.Token);
                switch (type)
                {
                    case Http2FrameType.Data when streamId == StreamId:
                        await OnDataAsync(Unpad(payload, flags), payload.Length);
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
                        await WriteFrameAsync(Http2FrameType.Settings, Http2Flags.Ack, 0, ReadOnlyMemory<byte>.Empty, closing.Token);
                        break;
                    case Http2FrameType.Ping when (flags & Http2Flags.Ack) == 0:
                        await WriteFrameAsync(Http2FrameType.Ping, Http2Flags.Ack, 0, payload, closing.Token);
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
            failure = e;
        }
        finally
        {
            lock (windowLock)
            {
                // A writer waiting for window learns the connection's fate instead of waiting forever.
                connectionFailure = failure ?? new IOException("the call has ended");
                windowGrew.TrySetResult();
            }

            messages.Writer.TryComplete(failure);
        }
    }

    /// <summary>Queues the messages <paramref name="data"/> completes; <paramref name="frameLength"/> (padding included) counts against the window.</summary>
    private async Task OnDataAsync(ReadOnlyMemory<byte> data, int frameLength)
    {
        if (!responseHeadersSeen)
        {
            throw new InvalidDataException("the server sent data before its headers");
        }

        foreach (var message in assembler.Add(data.Span))
        {
            await messages.Writer.WriteAsync(message, closing.Token);
        }

        // Give the server its window back in large steps rather than one WINDOW_UPDATE per frame.
        unacknowledgedBytes += frameLength;
        if (unacknowledgedBytes >= ReceiveWindow / 2)
        {
            var increment = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(increment, unacknowledgedBytes);
            unacknowledgedBytes = 0;
            await WriteFrameAsync(Http2FrameType.WindowUpdate, 0, 0, increment, closing.Token);
            await WriteFrameAsync(Http2FrameType.WindowUpdate, 0, StreamId, increment, closing.Token);
        }
    }

    /// <summary>The response headers (which must say 200 and gRPC), then the trailers with the call's status.</summary>
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
            status = int.TryParse(grpcStatus, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                ? ((StatusCode)code, grpcMessage)
                : (StatusCode.Internal, $"invalid grpc-status \"{grpcStatus}\"");
        }
    }

    private void ApplySettings(ReadOnlySpan<byte> payload)
    {
        if (payload.Length % 6 != 0)
        {
            throw new InvalidDataException("malformed HTTP/2 SETTINGS frame");
        }

        for (var i = 0; i < payload.Length; i += 6)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
            lock (windowLock)
            {
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
        }

        SignalWindow();
    }

    private void GrowSendWindow(int streamId, int increment)
    {
        lock (windowLock)
        {
            if (streamId == 0)
            {
                connectionSendWindow += increment;
            }
            else if (streamId == StreamId)
            {
                streamSendWindow += increment;
            }
        }

        SignalWindow();
    }

    private void SignalWindow()
    {
        lock (windowLock)
        {
            windowGrew.TrySetResult();
            windowGrew = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
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
