namespace Lode.Yamux;

/// <summary>
/// Session settings. Defaults are hashicorp/yamux's <c>DefaultConfig()</c>; <see cref="GitalyServer"/> and
/// <see cref="GitalyClient"/> are what Gitaly's backchannel uses on each end.
/// </summary>
public sealed record YamuxOptions
{
    /// <summary>
    /// Every stream starts with this receive window in both directions. It is part of the wire contract (neither
    /// side announces it), so it is not configurable.
    /// </summary>
    public const uint InitialStreamWindowSize = 256 * 1024;

    /// <summary>hashicorp/yamux's defaults: backlog 256, 256 KiB window, keepalive every 30 s, 10 s write timeout.</summary>
    public static YamuxOptions Default { get; } = new();

    /// <summary>
    /// Gitaly's server end of the backchannel: one pending inbound stream, 16 MiB stream windows so that one
    /// stream can carry a clone at full speed, no keepalive (gRPC pings instead).
    /// </summary>
    public static YamuxOptions GitalyServer { get; } = new()
    {
        AcceptBacklog = 1,
        MaxStreamWindowSize = 16 * 1024 * 1024,
        EnableKeepAlive = false,
    };

    /// <summary>Workhorse and gitlab-shell: library defaults with keepalive off.</summary>
    public static YamuxOptions GitalyClient { get; } = new() { EnableKeepAlive = false };

    /// <summary>
    /// How many inbound streams may wait for <see cref="YamuxSession.AcceptStreamAsync"/>; more are refused with
    /// RST. It also caps how many of this side's opened streams may wait for the peer's ACK at once, as in
    /// hashicorp/yamux.
    /// </summary>
    public int AcceptBacklog { get; init; } = 256;

    /// <summary>
    /// The receive window a stream grows to; it is announced in the first window update (the SYN or ACK). At
    /// least <see cref="InitialStreamWindowSize"/>. Unread data buffered per stream never exceeds it.
    /// </summary>
    public uint MaxStreamWindowSize { get; init; } = InitialStreamWindowSize;

    /// <summary>Whether to ping the peer every <see cref="KeepAliveInterval"/> and close the session when a ping goes unanswered.</summary>
    public bool EnableKeepAlive { get; init; } = true;

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one write to the transport may take before the session is closed (a peer that stopped reading),
    /// and how long a ping waits for its answer. <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan ConnectionWriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a stream is disposed, how long to wait for the peer's FIN before resetting the stream to free it.
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits forever. hashicorp/yamux's default is 5 minutes.
    /// </summary>
    public TimeSpan StreamCloseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (AcceptBacklog <= 0)
        {
            throw new ArgumentException("accept backlog must be positive", nameof(AcceptBacklog));
        }

        if (MaxStreamWindowSize < InitialStreamWindowSize)
        {
            throw new ArgumentException("max stream window must be at least 256 KiB", nameof(MaxStreamWindowSize));
        }

        // Windows are tracked as signed 32-bit counts in places; 1 GiB is far beyond any useful window.
        if (MaxStreamWindowSize > 1u << 30)
        {
            throw new ArgumentException("max stream window must be at most 1 GiB", nameof(MaxStreamWindowSize));
        }

        if (EnableKeepAlive && KeepAliveInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("keepalive interval must be positive", nameof(KeepAliveInterval));
        }

        if (ConnectionWriteTimeout <= TimeSpan.Zero && ConnectionWriteTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("connection write timeout must be positive or infinite", nameof(ConnectionWriteTimeout));
        }

        if (StreamCloseTimeout <= TimeSpan.Zero && StreamCloseTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("stream close timeout must be positive or infinite", nameof(StreamCloseTimeout));
        }
    }
}
