using System.Buffers;

namespace Lode.Yamux.Tests;

public sealed class FrameHeaderTests
{
    public static TheoryData<string, byte[]> SpecFrames() => new()
    {
        // version, type, flags (BE), stream id (BE), length (BE)
        { "syn-window-update", [0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00] },
        { "ack-window-update-16MiB", [0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0xFC, 0x00, 0x00] },
        { "data", [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05] },
        { "data-fin", [0x00, 0x00, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0x00, 0x00] },
        { "ping-syn", [0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04] },
        { "ping-ack", [0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFE] },
        { "go-away-protocol-error", [0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01] },
        { "rst", [0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00] },
    };

    private static FrameHeader Expected(string name) => name switch
    {
        "syn-window-update" => FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0),
        "ack-window-update-16MiB" => FrameHeader.WindowUpdate(2, FrameFlags.Ack, (16 * 1024 * 1024) - (256 * 1024)),
        "data" => FrameHeader.Data(3, FrameFlags.None, 5),
        "data-fin" => FrameHeader.Data(0x12345678, FrameFlags.Fin, 65536),
        "ping-syn" => FrameHeader.Ping(FrameFlags.Syn, 0x01020304),
        "ping-ack" => FrameHeader.Ping(FrameFlags.Ack, 0xFFFFFFFE),
        "go-away-protocol-error" => FrameHeader.GoAway(GoAwayCode.ProtocolError),
        "rst" => FrameHeader.WindowUpdate(7, FrameFlags.Rst, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(SpecFrames))]
    public void Write_SpecFrame_MatchesHandWrittenBytes(string name, byte[] expected)
    {
        var actual = new byte[FrameHeader.Size];
        Expected(name).Write(actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(SpecFrames))]
    public void Read_SpecBytes_DecodesFields(string name, byte[] bytes)
    {
        var header = FrameHeader.Read(bytes, out var version);
        Assert.Equal(0, version);
        Assert.Equal(Expected(name), header);
    }

    [Fact]
    public void Read_HeaderSplitAcrossSegments_DecodesEveryCut()
    {
        var original = new FrameHeader(FrameType.WindowUpdate, FrameFlags.Syn | FrameFlags.Ack | FrameFlags.Fin, 0xDEADBEEF, 0x00C0FFEE);
        var bytes = new byte[FrameHeader.Size];
        original.Write(bytes);
        for (var cut = 1; cut < FrameHeader.Size; cut++)
        {
            var sequence = Segments.Create(bytes.AsMemory(0, cut), bytes.AsMemory(cut));
            Assert.Equal(original, FrameHeader.Read(sequence, out var version));
            Assert.Equal(0, version);
        }
    }

    [Fact]
    public void WriteRead_RandomHeaders_RoundTrip()
    {
        var random = new Random(7);
        var bytes = new byte[FrameHeader.Size];
        for (var i = 0; i < 10_000; i++)
        {
            var header = new FrameHeader((FrameType)random.Next(4), (FrameFlags)random.Next(16), (uint)random.NextInt64(uint.MaxValue + 1L),
                (uint)random.NextInt64(uint.MaxValue + 1L));
            header.Write(bytes);
            Assert.Equal(header, FrameHeader.Read(bytes, out _));
        }
    }

    [Fact]
    public void Read_NonZeroVersion_ReportsIt()
    {
        byte[] bytes = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00];
        FrameHeader.Read(new ReadOnlySequence<byte>(bytes), out var version);
        Assert.Equal(1, version);
    }
}
