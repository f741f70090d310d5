namespace Lode.Yamux;

/// <summary>Why a yamux operation or session failed.</summary>
public enum YamuxError
{
    /// <summary>The peer broke the protocol; this side sent GoAway(protocol error) and closed the session.</summary>
    ProtocolError,

    /// <summary>The peer sent GoAway(protocol error): it thinks this side broke the protocol.</summary>
    RemoteProtocolError,

    /// <summary>The peer sent GoAway(internal error) or an unknown GoAway code.</summary>
    RemoteInternalError,

    /// <summary>The peer sent GoAway(normal): it accepts no new streams.</summary>
    RemoteGoAway,

    /// <summary>This side failed unexpectedly; it sent GoAway(internal error) and closed the session.</summary>
    InternalError,

    /// <summary>The session is closed (locally, or because the transport ended); the stream cannot go on.</summary>
    SessionClosed,

    /// <summary>The transport ended or failed under the session.</summary>
    ConnectionClosed,

    /// <summary>A frame could not be written to the transport within the connection write timeout.</summary>
    WriteTimeout,

    /// <summary>A ping was not answered in time (explicit ping or keepalive).</summary>
    Timeout,

    /// <summary>The stream was reset (RST) by either side.</summary>
    StreamReset,

    /// <summary>A write on a stream after this side half-closed it.</summary>
    StreamClosed,

    /// <summary>All stream ids of this side's parity are used up.</summary>
    StreamsExhausted,

    /// <summary>This side's queue of control frames overflowed because the peer does not read.</summary>
    ControlQueueOverflow,
}
