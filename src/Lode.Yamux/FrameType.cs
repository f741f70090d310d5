namespace Lode.Yamux;

/// <summary>The message type, byte 1 of the frame header.</summary>
internal enum FrameType : byte
{
    /// <summary>Carries <c>Length</c> bytes of stream payload.</summary>
    Data = 0,

    /// <summary>Grows the peer's send window by <c>Length</c>; also carries the stream flags on their own.</summary>
    WindowUpdate = 1,

    /// <summary>Session-level; <c>Length</c> is an opaque value echoed back with ACK.</summary>
    Ping = 2,

    /// <summary>Session-level; <c>Length</c> is a <see cref="GoAwayCode"/>.</summary>
    GoAway = 3,
}
