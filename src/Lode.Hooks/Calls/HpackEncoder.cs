using System.Buffers;
using System.Text;

namespace Lode.Hooks.Calls;

/// <summary>
/// Writes request header blocks as HPACK literals without indexing and without Huffman coding: a hook sends one
/// request per connection, so a compression table would never be used twice.
/// </summary>
internal static class HpackEncoder
{
    public static void WriteField(ArrayBufferWriter<byte> block, string name, string value)
    {
        // 0000 0000: literal without indexing, new name.
        block.Write<byte>([0]);
        WriteString(block, name);
        WriteString(block, value);
    }

    private static void WriteString(ArrayBufferWriter<byte> block, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteInteger(block, bytes.Length, 7, 0);
        block.Write(bytes);
    }

    /// <summary>An HPACK integer (RFC 7541 §5.1) in a first octet that keeps <paramref name="prefixBits"/> bits for it.</summary>
    internal static void WriteInteger(ArrayBufferWriter<byte> block, int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Write<byte>([(byte)(flags | value)]);
            return;
        }

        block.Write<byte>([(byte)(flags | max)]);
        value -= max;
        while (value >= 0x80)
        {
            block.Write<byte>([(byte)((value & 0x7F) | 0x80)]);
            value >>= 7;
        }

        block.Write<byte>([(byte)value]);
    }
}
