namespace Lode.Yamux;

/// <summary>Bytes 2-3 of the frame header (big-endian); only meaningful on Data and WindowUpdate (and SYN/ACK on Ping).</summary>
[Flags]
internal enum FrameFlags : ushort
{
    None = 0,

    /// <summary>Opens a stream (or asks for a ping reply).</summary>
    Syn = 1,

    /// <summary>Accepts a stream (or answers a ping).</summary>
    Ack = 2,

    /// <summary>Half-close: the sender writes no more on this stream.</summary>
    Fin = 4,

    /// <summary>Aborts the stream in both directions.</summary>
    Rst = 8,
}
