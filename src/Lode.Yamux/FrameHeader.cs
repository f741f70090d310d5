using System.Buffers;
using System.Buffers.Binary;

namespace Lode.Yamux;

/// <summary>
/// The fixed 12-byte yamux frame header: version u8, type u8, flags u16, stream id u32, length u32, all big-endian.
/// </summary>
internal readonly record struct FrameHeader(FrameType Type, FrameFlags Flags, uint StreamId, uint Length)
{
    public const int Size = 12;

    /// <summary>The only version hashicorp/yamux speaks.</summary>
    public const byte ProtocolVersion = 0;

    public static FrameHeader WindowUpdate(uint streamId, FrameFlags flags, uint delta) =>
        new(FrameType.WindowUpdate, flags, streamId, delta);

    public static FrameHeader Data(uint streamId, FrameFlags flags, uint length) =>
        new(FrameType.Data, flags, streamId, length);

    public static FrameHeader Ping(FrameFlags flags, uint opaque) => new(FrameType.Ping, flags, 0, opaque);

    public static FrameHeader GoAway(GoAwayCode code) => new(FrameType.GoAway, FrameFlags.None, 0, (uint)code);

    public void Write(Span<byte> destination)
    {
        // One bounds check up front instead of one per field.
        var d = destination[..Size];
        d[0] = ProtocolVersion;
        d[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], Length);
    }

    /// <summary>
    /// Decodes a header. The version and type are returned raw (not validated) so that the caller decides what a
    /// bad value means: the session treats both as a protocol error.
    /// </summary>
    public static FrameHeader Read(ReadOnlySpan<byte> source, out byte version)
    {
        var s = source[..Size];
        version = s[0];
        return new FrameHeader(
            (FrameType)s[1],
            (FrameFlags)BinaryPrimitives.ReadUInt16BigEndian(s[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(s[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(s[8..]));
    }

    /// <summary>Decodes the first 12 bytes of <paramref name="source"/>, which may span buffer segments.</summary>
    public static FrameHeader Read(in ReadOnlySequence<byte> source, out byte version)
    {
        var first = source.FirstSpan;
        if (first.Length >= Size)
        {
            return Read(first, out version);
        }

        Span<byte> copy = stackalloc byte[Size];
        source.Slice(0, Size).CopyTo(copy);
        return Read(copy, out version);
    }
}
