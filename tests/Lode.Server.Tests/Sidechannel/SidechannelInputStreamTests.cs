using System.Text;
using Lode.Server.Sidechannel;

namespace Lode.Server.Tests.Sidechannel;

public sealed class SidechannelInputStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public async Task Read_FramesSplitAnywhere_YieldsPayloadUntilFlush(int chunk)
    {
        var stream = new SidechannelInputStream(new TrickleStream("0009hello000aworld!00040000000eafter flush"u8.ToArray(), chunk));

        var data = await ReadAllAsync(stream);

        Assert.Equal("helloworld!", data);
    }

    [Fact]
    public async Task Read_LargestFrame_Accepted()
    {
        var payload = new byte[SidechannelProtocol.MaxFramePayload];
        Array.Fill(payload, (byte)'x');
        var input = new MemoryStream([.. "fff0"u8.ToArray(), .. payload, .. "0000"u8.ToArray()]);

        var data = await ReadAllAsync(new SidechannelInputStream(input));

        Assert.Equal(payload.Length, data.Length);
    }

    [Theory]
    [InlineData("0001", "sidechannel: invalid header 1")]
    [InlineData("0002", "sidechannel: invalid header 2")]
    [InlineData("0003", "sidechannel: invalid header 3")]
    [InlineData("0009hello", "unexpected EOF")]
    [InlineData("00", "pktLineSplitter: incomplete length prefix on \"00\"")]
    [InlineData("0009hel", "pktLineSplitter: less than 9 bytes in input")]
    [InlineData("zzzz", "pktLineSplitter: decode length: invalid syntax \"zzzz\"")]
    [InlineData("fff1", "bufio.Scanner: token too long")]
    public async Task Read_BadInput_Fails(string input, string message)
    {
        var stream = new SidechannelInputStream(new MemoryStream(Encoding.ASCII.GetBytes(input)));

        var error = await Assert.ThrowsAsync<SidechannelException>(() => ReadAllAsync(stream));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Read_EmptyInput_IsTruncatedNotEmpty()
    {
        var stream = new SidechannelInputStream(new MemoryStream());

        await Assert.ThrowsAsync<SidechannelException>(() => ReadAllAsync(stream));
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var output = new MemoryStream();
        await stream.CopyToAsync(output);
        return Encoding.ASCII.GetString(output.ToArray());
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read, as a network does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
