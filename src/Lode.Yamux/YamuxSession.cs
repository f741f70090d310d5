using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace Lode.Yamux;

/// <summary>
/// A yamux session over a duplex transport (a Kestrel connection, a socket), wire-compatible with
/// hashicorp/yamux. The client side opens odd stream ids, the server side even ones; either side may open.
/// <para>
/// One read loop demultiplexes incoming frames to streams and never blocks on a stream or on the transport's write
/// side; <see cref="FrameWriter"/> serializes outgoing frames. The session owns the transport and disposes it when
/// it closes. Any protocol violation by the peer sends GoAway(protocol error) and closes the session: streams then
/// fail with <see cref="YamuxException"/>, and <see cref="Closed"/> completes.
/// </para>
/// </summary>
public sealed partial class YamuxSession : IAsyncDisposable, IDisposable
{
    private readonly Stream transport;
    private readonly bool isClient;
    private readonly PipeReader input;
    private readonly Lock gate = new();
    private readonly Dictionary<uint, YamuxStream> streams = [];
    private readonly Dictionary<uint, TaskCompletionSource> pings = [];
    private readonly Channel<YamuxStream> acceptQueue;
    private readonly SemaphoreSlim openSlots;
    private readonly CancellationTokenSource shutdownCts = new();
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task readLoop;
    private readonly Task keepAlive;

    // Under gate.
    private uint nextStreamId;
    private uint highestPeerStreamId;
    private uint nextPingId;
    private bool localGoAway;
    private bool remoteGoAway;
    private bool shuttingDown;
    private YamuxException? closeError;

    private YamuxSession(Stream transport, YamuxOptions options, bool isClient)
    {
        options.Validate();
        this.transport = transport;
        this.isClient = isClient;
        Options = options;
        nextStreamId = isClient ? 1u : 2u;
        Writer = new FrameWriter(transport, this, options.ConnectionWriteTimeout);
        acceptQueue = Channel.CreateBounded<YamuxStream>(new BoundedChannelOptions(options.AcceptBacklog)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        openSlots = new SemaphoreSlim(options.AcceptBacklog, options.AcceptBacklog);

        // 64 KiB reads keep syscalls few on bulk transfers; the buffers come from the shared array pool.
        input = PipeReader.Create(transport, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        readLoop = Task.Run(ReadLoopAsync);
        keepAlive = options.EnableKeepAlive ? Task.Run(KeepAliveLoopAsync) : Task.CompletedTask;
    }

    public YamuxOptions Options { get; }

    /// <summary>True for the client end (odd stream ids).</summary>
    public bool IsClient => isClient;

    /// <summary>Completes (never faults) when the session has closed and released the transport.</summary>
    public Task Closed => closed.Task;

    /// <summary>Why the session closed; null while open and after a local <see cref="CloseAsync"/>.</summary>
    public YamuxException? CloseError
    {
        get
        {
            lock (gate)
            {
                return closeError;
            }
        }
    }

    public bool IsClosed
    {
        get
        {
            lock (gate)
            {
                return shuttingDown;
            }
        }
    }

    /// <summary>Open streams (including ones half-closed or waiting to be accepted).</summary>
    public int StreamCount
    {
        get
        {
            lock (gate)
            {
                return streams.Count;
            }
        }
    }

    internal FrameWriter Writer { get; }

    /// <summary>Starts the client end (odd ids) on a connected transport. The session owns the transport from now on.</summary>
    public static YamuxSession Client(Stream transport, YamuxOptions? options = null) =>
        new(transport, options ?? YamuxOptions.Default, isClient: true);

    /// <summary>Starts the server end (even ids) on a connected transport. The session owns the transport from now on.</summary>
    public static YamuxSession Server(Stream transport, YamuxOptions? options = null) =>
        new(transport, options ?? YamuxOptions.Default, isClient: false);

    /// <summary>
    /// Opens a stream: queues its SYN and returns at once; data may be written before the peer's ACK. At most
    /// <see cref="YamuxOptions.AcceptBacklog"/> opened streams may wait for their ACK; more wait here.
    /// </summary>
    public async Task<YamuxStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        ThrowIfCannotOpen();
        if (!openSlots.Wait(0, cancellationToken))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdownCts.Token);
            try
            {
                await openSlots.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw CreateClosedException();
            }
        }

        YamuxStream stream;
        lock (gate)
        {
            var error = OpenErrorLocked();
            if (error is null && nextStreamId >= uint.MaxValue - 1)
            {
                error = new YamuxException(YamuxError.StreamsExhausted, "yamux: stream ids exhausted");
            }

            if (error is not null)
            {
                openSlots.Release();
                throw error;
            }

            stream = new YamuxStream(this, nextStreamId, holdsOpenSlot: true);
            nextStreamId += 2;
            streams.Add(stream.Id, stream);
        }

        stream.SendOpenOrAccept(FrameFlags.Syn);
        return stream;
    }

    /// <summary>
    /// Waits for a stream opened by the peer and acknowledges it (ACK, with this side's full window). Returns null
    /// once the session has closed.
    /// </summary>
    public async Task<YamuxStream?> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        var reader = acceptQueue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            if (IsClosed)
            {
                return null;
            }

            if (reader.TryRead(out var stream))
            {
                stream.SendOpenOrAccept(FrameFlags.Ack);
                return stream;
            }
        }

        return null;
    }

    /// <summary>
    /// Measures the round trip of a ping. Fails with <see cref="YamuxError.Timeout"/> when no answer comes within
    /// <see cref="YamuxOptions.ConnectionWriteTimeout"/>, as hashicorp/yamux does.
    /// </summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        uint id;
        lock (gate)
        {
            if (shuttingDown)
            {
                throw CreateClosedException();
            }

            id = nextPingId++;
            pings[id] = answered;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            SendControl(FrameHeader.Ping(FrameFlags.Syn, id));
            await answered.Task.WaitAsync(Options.ConnectionWriteTimeout, cancellationToken);
            return Stopwatch.GetElapsedTime(started);
        }
        catch (TimeoutException e)
        {
            throw new YamuxException(YamuxError.Timeout, "yamux: ping timeout", e);
        }
        finally
        {
            lock (gate)
            {
                pings.Remove(id);
            }
        }
    }

    /// <summary>
    /// Tells the peer that this side accepts no new streams (GoAway normal) and refuses later SYNs with RST.
    /// Existing streams go on. Completes once the GoAway is on the transport.
    /// </summary>
    public async Task GoAwayAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (shuttingDown)
            {
                throw CreateClosedException();
            }

            localGoAway = true;
        }

        SendControl(FrameHeader.GoAway(GoAwayCode.Normal));
        await Writer.FlushControlAsync(cancellationToken);
    }

    /// <summary>
    /// Closes the session: a GoAway(normal) is sent if the transport takes it promptly, every stream fails, the
    /// transport is disposed. Completes when all of that is done.
    /// </summary>
    public Task CloseAsync()
    {
        BeginShutdown(null, GoAwayCode.Normal);
        return closed.Task;
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    /// <summary>Starts closing the session and returns without waiting; await <see cref="Closed"/> to wait.</summary>
    public void Dispose() => BeginShutdown(null, GoAwayCode.Normal);

    internal void SendControl(in FrameHeader header) => Writer.EnqueueControl(header);

    /// <summary>Removes a finished or reset stream from the table; its id becomes stale (late frames are dropped).</summary>
    internal void Forget(YamuxStream stream)
    {
        lock (gate)
        {
            if (streams.TryGetValue(stream.Id, out var current) && ReferenceEquals(current, stream))
            {
                streams.Remove(stream.Id);
            }
        }

        stream.ReleaseOpenSlot();
    }

    internal void ReleaseOpenSlot()
    {
        lock (gate)
        {
            if (shuttingDown)
            {
                return;
            }
        }

        openSlots.Release();
    }

    /// <summary>Closes the session because of <paramref name="error"/>, sending a GoAway with <paramref name="goAway"/> if given.</summary>
    internal void Fail(YamuxException error, GoAwayCode? goAway) => BeginShutdown(error, goAway);

    internal YamuxException CreateClosedException()
    {
        lock (gate)
        {
            return new YamuxException(YamuxError.SessionClosed, "yamux: session closed", closeError);
        }
    }

    internal static YamuxException ProtocolViolation(string what) =>
        new(YamuxError.ProtocolError, "yamux: protocol error: " + what);

    private void ThrowIfCannotOpen()
    {
        lock (gate)
        {
            var error = OpenErrorLocked();
            if (error is not null)
            {
                throw error;
            }
        }
    }

    private YamuxException? OpenErrorLocked()
    {
        if (shuttingDown)
        {
            return new YamuxException(YamuxError.SessionClosed, "yamux: session closed", closeError);
        }

        if (remoteGoAway)
        {
            return new YamuxException(YamuxError.RemoteGoAway, "yamux: remote end is not accepting streams");
        }

        return null;
    }

    private async Task KeepAliveLoopAsync()
    {
        var token = shutdownCts.Token;
        try
        {
            while (true)
            {
                await Task.Delay(Options.KeepAliveInterval, token);
                await PingAsync(token);
            }
        }
        catch (YamuxException e) when (e.Error == YamuxError.Timeout)
        {
            Fail(new YamuxException(YamuxError.Timeout, "yamux: keepalive timeout", e), goAway: null);
        }
        catch (Exception)
        {
            // Session closing (cancelled delay, or a ping failing because of it).
        }
    }
}
