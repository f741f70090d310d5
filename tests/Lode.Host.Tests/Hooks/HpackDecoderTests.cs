using System.Buffers;
using Lode.Hooks.Calls;

namespace Lode.Host.Tests.Hooks;

/// <summary>The HPACK decoder on RFC 7541's own examples (appendix C), plus eviction and the errors it must catch.</summary>
public sealed class HpackDecoderTests
{
    [Fact]
    public void RequestsWithoutHuffman_Rfc7541C3_DecodeAndShareTheDynamicTable()
    {
        var decoder = new HpackDecoder();

        Assert.Equal(
            [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")],
            decoder.Decode(Convert.FromHexString("828684410f7777772e6578616d706c652e636f6d")));
        Assert.Equal(
            [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")],
            decoder.Decode(Convert.FromHexString("828684be58086e6f2d6361636865")));
        Assert.Equal(
            [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
            decoder.Decode(Convert.FromHexString("828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565")));
    }

    [Fact]
    public void RequestsWithHuffman_Rfc7541C4_Decode()
    {
        var decoder = new HpackDecoder();

        Assert.Equal(
            [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")],
            decoder.Decode(Convert.FromHexString("828684418cf1e3c2e5f23a6ba0ab90f4ff")));
        Assert.Equal(
            [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")],
            decoder.Decode(Convert.FromHexString("828684be5886a8eb10649cbf")));
        Assert.Equal(
            [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
            decoder.Decode(Convert.FromHexString("828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf")));
    }

    [Fact]
    public void TableFull_OldestEntriesEvicted()
    {
        // A 100-byte table holds one entry of 32 + 4 + 30 bytes: the second insertion evicts the first.
        var decoder = new HpackDecoder(maxTableSize: 100);
        var first = IncrementalLiteral("aaaa", new string('1', 30));
        var second = IncrementalLiteral("bbbb", new string('2', 30));

        decoder.Decode(first);
        decoder.Decode(second);

        Assert.Equal([("bbbb", new string('2', 30))], decoder.Decode([0xBE])); // index 62: the newest entry
        Assert.Throws<InvalidDataException>(() => decoder.Decode([0xBF])); // index 63: evicted
    }

    [Fact]
    public void TableSizeUpdate_BeyondWhatTheClientAllows_Refused()
    {
        var decoder = new HpackDecoder(maxTableSize: 100);
        var block = new ArrayBufferWriter<byte>();
        HpackEncoder.WriteInteger(block, 4096, 5, 0x20);

        Assert.Throws<InvalidDataException>(() => decoder.Decode(block.WrittenSpan));
    }

    [Theory]
    [InlineData("3f")] // an integer whose continuation octets are missing
    [InlineData("0003616263")] // a literal whose value is missing
    [InlineData("000361626383")] // a value longer than the block
    [InlineData("00036162638180")] // Huffman padding that is not all ones
    public void MalformedBlocks_Refused(string hex)
    {
        Assert.ThrowsAny<Exception>(() => new HpackDecoder().Decode(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData(10, 5, "0a")] // RFC 7541 C.1.1
    [InlineData(1337, 5, "1f9a0a")] // RFC 7541 C.1.2
    [InlineData(42, 8, "2a")] // RFC 7541 C.1.3
    public void Integers_Rfc7541C1_RoundTrip(int value, int prefixBits, string hex)
    {
        var block = new ArrayBufferWriter<byte>();
        HpackEncoder.WriteInteger(block, value, prefixBits, 0);
        var position = 0;

        Assert.Equal(hex, Convert.ToHexString(block.WrittenSpan).ToLowerInvariant());
        Assert.Equal(value, HpackDecoder.ReadInteger(block.WrittenSpan, ref position, prefixBits));
    }

    [Fact]
    public void EncodedFields_DecodeBack()
    {
        var block = new ArrayBufferWriter<byte>();
        HpackEncoder.WriteField(block, ":path", "/gitaly.HookService/PreReceiveHook");
        HpackEncoder.WriteField(block, "username", new string('u', 300));

        Assert.Equal(
            [(":path", "/gitaly.HookService/PreReceiveHook"), ("username", new string('u', 300))],
            new HpackDecoder().Decode(block.WrittenSpan));
    }

    private static byte[] IncrementalLiteral(string name, string value)
    {
        var block = new ArrayBufferWriter<byte>();
        block.Write<byte>([0x40]);
        HpackEncoder.WriteInteger(block, name.Length, 7, 0);
        block.Write(System.Text.Encoding.ASCII.GetBytes(name));
        HpackEncoder.WriteInteger(block, value.Length, 7, 0);
        block.Write(System.Text.Encoding.ASCII.GetBytes(value));
        return block.WrittenSpan.ToArray();
    }
}
