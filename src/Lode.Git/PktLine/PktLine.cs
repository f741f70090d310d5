using System.Buffers;
using System.Text;

namespace Lode.Git.PktLine;

/// <summary>
/// git's pkt-line framing (gitprotocol-common(5)): four lower-case hex digits giving the packet length including
/// themselves, then the data. Lengths 0000, 0001 and 0002 are the flush, delim and response-end packets; 0003 is
/// invalid. The helpers here write into any <see cref="IBufferWriter{T}"/> (a PipeWriter included).
/// </summary>
public static class PktLine
{
    /// <summary>Largest packet including its header (git's LARGE_PACKET_MAX).</summary>
    public const int MaxPacketLength = 65520;

    /// <summary>Largest payload of a data packet.</summary>
    public const int MaxDataLength = MaxPacketLength - HeaderLength;

    /// <summary>Largest payload of a sideband packet: one byte of the payload is the band number.</summary>
    public const int MaxSidebandDataLength = MaxDataLength - 1;

    public const int HeaderLength = 4;

    public static ReadOnlySpan<byte> FlushPacket => "0000"u8;

    public static ReadOnlySpan<byte> DelimPacket => "0001"u8;

    public static ReadOnlySpan<byte> ResponseEndPacket => "0002"u8;

    /// <summary>A data packet holding <paramref name="text"/> as UTF-8, e.g. <c>Format("# service=git-upload-pack\n")</c>.</summary>
    public static byte[] Format(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        CheckDataLength(length);
        var packet = new byte[HeaderLength + length];
        WriteHeader(packet, HeaderLength + length);
        Encoding.UTF8.GetBytes(text, packet.AsSpan(HeaderLength));
        return packet;
    }

    /// <summary>Writes one data packet. Throws when <paramref name="data"/> is longer than <see cref="MaxDataLength"/>.</summary>
    public static void WriteData(IBufferWriter<byte> writer, ReadOnlySpan<byte> data)
    {
        CheckDataLength(data.Length);
        var span = writer.GetSpan(HeaderLength + data.Length);
        WriteHeader(span, HeaderLength + data.Length);
        data.CopyTo(span[HeaderLength..]);
        writer.Advance(HeaderLength + data.Length);
    }

    /// <summary>Writes one data packet holding <paramref name="text"/> as UTF-8.</summary>
    public static void WriteString(IBufferWriter<byte> writer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        CheckDataLength(length);
        var span = writer.GetSpan(HeaderLength + length);
        WriteHeader(span, HeaderLength + length);
        Encoding.UTF8.GetBytes(text, span[HeaderLength..]);
        writer.Advance(HeaderLength + length);
    }

    /// <summary>Writes one sideband packet: header, band byte, data. Data must fit in one packet.</summary>
    public static void WriteSideband(IBufferWriter<byte> writer, byte band, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxSidebandDataLength)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, "sideband data longer than one packet");
        }

        var total = HeaderLength + 1 + data.Length;
        var span = writer.GetSpan(total);
        WriteHeader(span, total);
        span[HeaderLength] = band;
        data.CopyTo(span[(HeaderLength + 1)..]);
        writer.Advance(total);
    }

    public static void WriteFlush(IBufferWriter<byte> writer) => writer.Write(FlushPacket);

    public static void WriteDelim(IBufferWriter<byte> writer) => writer.Write(DelimPacket);

    public static void WriteResponseEnd(IBufferWriter<byte> writer) => writer.Write(ResponseEndPacket);

    /// <summary>Writes the four lower-case hex digits of <paramref name="length"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int length)
    {
        const string digits = "0123456789abcdef";
        destination[0] = (byte)digits[(length >> 12) & 0xF];
        destination[1] = (byte)digits[(length >> 8) & 0xF];
        destination[2] = (byte)digits[(length >> 4) & 0xF];
        destination[3] = (byte)digits[length & 0xF];
    }

    /// <summary>
    /// Parses a four-digit header. git accepts either case of hex digit; so do we. Returns -1 for anything else.
    /// </summary>
    public static int ParseHeader(ReadOnlySpan<byte> header)
    {
        var length = 0;
        for (var i = 0; i < HeaderLength; i++)
        {
            var value = HexValue(header[i]);
            if (value < 0)
            {
                return -1;
            }

            length = (length << 4) | value;
        }

        return length;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static void CheckDataLength(int length)
    {
        if (length > MaxDataLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "pkt-line data longer than 65516 bytes");
        }
    }
}
