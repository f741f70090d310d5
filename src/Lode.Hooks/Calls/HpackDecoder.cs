using System.Text;

namespace Lode.Hooks.Calls;

/// <summary>
/// Decodes the header blocks one HTTP/2 connection receives (RFC 7541): indexed fields from the static and the dynamic
/// table, literals with or without indexing, table size updates, and Huffman-coded strings. One decoder per connection,
/// fed every block in the order the blocks arrive, since the dynamic table carries over from block to block.
/// </summary>
internal sealed class HpackDecoder
{
    /// <summary>HTTP/2's default table size, which a client that never announces another allows.</summary>
    public const int DefaultTableSize = 4096;

    /// <summary>What one table entry costs beyond its name and value (RFC 7541 §4.1).</summary>
    private const int EntryOverhead = 32;

    private static readonly (string Name, string Value)[] StaticTable =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    /// <summary>The dynamic table, newest entry first (index 62 is <c>[0]</c>).</summary>
    private readonly List<(string Name, string Value)> dynamicTable = [];
    private int dynamicTableSize;
    private readonly int maxTableSize;
    private int maxDynamicTableSize;

    /// <param name="maxTableSize">The table size this client allows (its SETTINGS_HEADER_TABLE_SIZE).</param>
    public HpackDecoder(int maxTableSize = DefaultTableSize)
    {
        this.maxTableSize = maxTableSize;
        maxDynamicTableSize = maxTableSize;
    }

    /// <summary>Decodes one complete header block (HEADERS plus its CONTINUATION frames).</summary>
    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string Name, string Value)>();
        var position = 0;
        var fieldSeen = false;
        while (position < block.Length)
        {
            var first = block[position];
            if ((first & 0x80) != 0)
            {
                // Indexed field.
                fields.Add(Entry(ReadInteger(block, ref position, 7)));
                fieldSeen = true;
            }
            else if ((first & 0xC0) == 0x40)
            {
                // Literal with incremental indexing: the field also enters the dynamic table.
                var field = ReadLiteral(block, ref position, 6);
                Insert(field);
                fields.Add(field);
                fieldSeen = true;
            }
            else if ((first & 0xE0) == 0x20)
            {
                // Dynamic table size update: only at the start of a block, and within what this client allows.
                var size = ReadInteger(block, ref position, 5);
                if (fieldSeen || size > maxTableSize)
                {
                    throw new InvalidDataException("invalid HPACK table size update");
                }

                maxDynamicTableSize = size;
                Evict(0);
            }
            else
            {
                // Literal without indexing (0000xxxx) or never indexed (0001xxxx).
                fields.Add(ReadLiteral(block, ref position, 4));
                fieldSeen = true;
            }
        }

        return fields;
    }

    private (string Name, string Value) ReadLiteral(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var nameIndex = ReadInteger(block, ref position, prefixBits);
        var name = nameIndex == 0 ? ReadString(block, ref position) : Entry(nameIndex).Name;
        return (name, ReadString(block, ref position));
    }

    private (string Name, string Value) Entry(int index)
    {
        if (index >= 1 && index <= StaticTable.Length)
        {
            return StaticTable[index - 1];
        }

        var dynamicIndex = index - StaticTable.Length - 1;
        if (dynamicIndex < 0 || dynamicIndex >= dynamicTable.Count)
        {
            throw new InvalidDataException($"HPACK index {index} is outside the tables");
        }

        return dynamicTable[dynamicIndex];
    }

    private void Insert((string Name, string Value) field)
    {
        var size = Encoding.UTF8.GetByteCount(field.Name) + Encoding.UTF8.GetByteCount(field.Value) + EntryOverhead;
        if (size > maxDynamicTableSize)
        {
            // An entry larger than the table empties it and is not kept (RFC 7541 §4.4).
            dynamicTable.Clear();
            dynamicTableSize = 0;
            return;
        }

        Evict(size);
        dynamicTable.Insert(0, field);
        dynamicTableSize += size;
    }

    /// <summary>Drops the oldest entries until <paramref name="room"/> more bytes fit.</summary>
    private void Evict(int room)
    {
        while (dynamicTable.Count > 0 && dynamicTableSize + room > maxDynamicTableSize)
        {
            var (name, value) = dynamicTable[^1];
            dynamicTable.RemoveAt(dynamicTable.Count - 1);
            dynamicTableSize -= Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + EntryOverhead;
        }
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int position)
    {
        if (position >= block.Length)
        {
            throw new InvalidDataException("HPACK string missing");
        }

        var huffman = (block[position] & 0x80) != 0;
        var length = ReadInteger(block, ref position, 7);
        if (length > block.Length - position)
        {
            throw new InvalidDataException("HPACK string longer than its block");
        }

        var raw = block.Slice(position, length);
        position += length;
        return Encoding.UTF8.GetString(huffman ? HpackHuffman.Decode(raw) : raw);
    }

    /// <summary>An HPACK integer (RFC 7541 §5.1) whose first octet keeps <paramref name="prefixBits"/> bits for it.</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var max = (1 << prefixBits) - 1;
        var value = block[position++] & max;
        if (value < max)
        {
            return value;
        }

        for (var shift = 0; ; shift += 7)
        {
            if (position >= block.Length || shift > 21)
            {
                throw new InvalidDataException("invalid HPACK integer");
            }

            var octet = block[position++];
            value += (octet & 0x7F) << shift;
            if ((octet & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
