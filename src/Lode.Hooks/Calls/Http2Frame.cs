using System.Buffers.Binary;

namespace Lode.Hooks.Calls;

/// <summary>HTTP/2's frame layout (RFC 9113 §4.1): a 9-octet header, then the payload.</summary>
internal static class Http2Frame
{
    public const int HeaderLength = 9;

    /// <summary>The largest frame payload every peer accepts; a peer may announce more in its SETTINGS.</summary>
    public const int DefaultMaxPayload = 16_384;

    /// <summary>The window both directions start with, before any SETTINGS or WINDOW_UPDATE.</summary>
    public const int DefaultWindow = 65_535;

    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static void WriteHeader(Span<byte> destination, int payloadLength, Http2FrameType type, byte flags, int streamId)
    {
        destination[0] = (byte)(payloadLength >> 16);
        destination[1] = (byte)(payloadLength >> 8);
        destination[2] = (byte)payloadLength;
        destination[3] = (byte)type;
        destination[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], streamId & int.MaxValue);
    }

    public static (int PayloadLength, Http2FrameType Type, byte Flags, int StreamId) ReadHeader(ReadOnlySpan<byte> header) =>
        ((header[0] << 16) | (header[1] << 8) | header[2], (Http2FrameType)header[3], header[4],
            BinaryPrimitives.ReadInt32BigEndian(header[5..]) & int.MaxValue);
}

internal enum Http2FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>Frame flags; which apply depends on the frame type.</summary>
internal static class Http2Flags
{
    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;
}

/// <summary>SETTINGS identifiers (RFC 9113 §6.5.2) this client sends or acts on.</summary>
internal static class Http2Settings
{
    public const ushort EnablePush = 0x2;
    public const ushort InitialWindowSize = 0x4;
    public const ushort MaxFrameSize = 0x5;
}
