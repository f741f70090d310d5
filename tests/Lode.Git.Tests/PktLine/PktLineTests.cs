using System.IO.Pipelines;
using System.Text;
using Lode.Core.Errors;
using Lode.Git.PktLine;
using PktLineFormat = Lode.Git.PktLine.PktLine;

namespace Lode.Git.Tests.PktLine;

public sealed class PktLineTests : IDisposable
{
    // A pipe with a full buffer waits for its reader: a test bug would hang, so every wait is bounded.
    private readonly CancellationTokenSource timeout = new(TimeSpan.FromSeconds(30));

    private CancellationToken Token => timeout.Token;

    public void Dispose() => timeout.Dispose();

    [Fact]
    public void Format_ServiceAnnouncement_MatchesGitBytes()
    {
        Assert.Equal("001e# service=git-upload-pack\n"u8.ToArray(), PktLineFormat.Format("# service=git-upload-pack\n"));
        Assert.Equal("0004"u8.ToArray(), PktLineFormat.Format(""));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(4096)]
    [InlineData(PktLineFormat.MaxDataLength)]
    public async Task WriteData_ThenRead_RoundTrips(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var stream = new MemoryStream();
        await using (var writer = new PktLineWriter(stream, leaveOpen: true))
        {
            writer.WriteData(data);
            writer.WriteFlush();
            await writer.FlushAsync(Token);
        }

        Assert.Equal(size + 4 + 4, stream.Length);
        stream.Position = 0;
        await using var reader = new PktLineReader(stream);
        var packet = await reader.ReadAsync(Token);
        Assert.Equal(PktLineKind.Data, packet!.Value.Kind);
        Assert.Equal(data, packet.Value.Data.ToArray());
        Assert.True((await reader.ReadAsync(Token))!.Value.IsFlush);
        Assert.Null(await reader.ReadAsync(Token));
    }

    [Fact]
    public async Task Read_SpecialPackets_ReportedByKind()
    {
        await using var reader = new PktLineReader(new MemoryStream("0000000100020006a\n0009done\n"u8.ToArray()));

        var kinds = new List<string>();
        while (await reader.ReadAsync(Token) is { } packet)
        {
            kinds.Add(packet.Kind + ":" + Encoding.ASCII.GetString(packet.Data.Span));
        }

        Assert.Equal(["Flush:", "Delim:", "ResponseEnd:", "Data:a\n", "Data:done\n"], kinds);
    }

    [Fact]
    public async Task Write_SpecialPackets_AsGitSpellsThem()
    {
        var pipe = new Pipe();
        var writer = new PktLineWriter(pipe.Writer);
        writer.WriteString("command=ls-refs\n");
        writer.WriteDelim();
        writer.WriteString("peel\n");
        writer.WriteFlush();
        writer.WriteResponseEnd();
        await writer.FlushAsync(Token);
        await pipe.Writer.CompleteAsync();

        var written = await ReadAllAsync(pipe.Reader);

        Assert.Equal("0014command=ls-refs\n00010009peel\n00000002", Encoding.ASCII.GetString(written));
    }

    [Theory]
    [InlineData("0003")]
    [InlineData("000g")]
    [InlineData("zzzz")]
    [InlineData("fff1")]
    [InlineData("-001")]
    public async Task Read_InvalidLength_ThrowsInvalidArgument(string header)
    {
        await using var reader = new PktLineReader(new MemoryStream(Encoding.ASCII.GetBytes(header + "payload")));

        var error = await Assert.ThrowsAsync<PktLineFormatException>(async () => await reader.ReadAsync(Token));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains(error.Metadata, m => m.Key == "pktline_header" && m.Value == header);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("000a")]
    [InlineData("000aabc")]
    public async Task Read_TruncatedPacket_Throws(string input)
    {
        await using var reader = new PktLineReader(new MemoryStream(Encoding.ASCII.GetBytes(input)));

        await Assert.ThrowsAsync<PktLineFormatException>(async () => await reader.ReadAsync(Token));
    }

    [Fact]
    public async Task Read_UpperCaseHexAndMaxLength_Accepted()
    {
        var data = new byte[PktLineFormat.MaxDataLength];
        await using var reader = new PktLineReader(new MemoryStream([.. "000A"u8, .. "abcdef"u8, .. "fff0"u8, .. data]));

        Assert.Equal("abcdef"u8.ToArray(), (await reader.ReadAsync(Token))!.Value.Data.ToArray());
        Assert.Equal(PktLineFormat.MaxDataLength, (await reader.ReadAsync(Token))!.Value.Data.Length);
    }

    [Fact]
    public void WriteData_TooLong_Throws()
    {
        var writer = new Pipe().Writer;

        Assert.Throws<ArgumentOutOfRangeException>(() => PktLineFormat.WriteData(writer, new byte[PktLineFormat.MaxDataLength + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PktLineFormat.Format(new string('x', PktLineFormat.MaxDataLength + 1)));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(PktLineFormat.MaxSidebandDataLength, 1)]
    [InlineData(PktLineFormat.MaxSidebandDataLength + 1, 2)]
    [InlineData(200_000, 4)]
    public async Task SidebandWrite_LargerThanOnePacket_SplitsAndReassembles(int size, int packets)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var pipe = new Pipe();
        // WriteAsync flushes per packet and so waits for a reader once the pipe holds 64 KiB: write concurrently.
        var writing = Task.Run(async () =>
        {
            var sideband = new SidebandWriter(pipe.Writer);
            await sideband.WriteAsync(SidebandChannel.Data, data, Token);
            sideband.Write(SidebandChannel.Progress, "Counting objects\r"u8);
            sideband.WriteFlush();
            await sideband.FlushAsync(Token);
            await pipe.Writer.CompleteAsync();
        });

        await using var reader = new PktLineReader(pipe.Reader);
        var reassembled = new MemoryStream();
        var dataPackets = 0;
        PktLinePacket packet;
        while (!(packet = (await reader.ReadAsync(Token))!.Value).IsFlush)
        {
            var band = packet.Data.Span[0];
            Assert.True(packet.Data.Length - 1 <= PktLineFormat.MaxSidebandDataLength);
            if (band == (byte)SidebandChannel.Data)
            {
                dataPackets++;
                reassembled.Write(packet.Data.Span[1..]);
            }
            else
            {
                Assert.Equal((byte)SidebandChannel.Progress, band);
                Assert.Equal("Counting objects\r"u8.ToArray(), packet.Data.Span[1..].ToArray());
            }
        }

        await writing;
        Assert.Equal(packets, dataPackets);
        Assert.Equal(data, reassembled.ToArray());
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task Read_GitUploadPackAdvertisement_MatchesShowRef(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        await repo.CommitAsync();
        await repo.CommitAsync(branch: "feature");
        var advertisement = await repo.GitBytesAsync(["upload-pack", "--stateless-rpc", "--advertise-refs", repo.Path]);

        await using var reader = new PktLineReader(new MemoryStream(advertisement));
        var refs = new List<string>();
        while (await reader.ReadAsync(Token) is { Kind: PktLineKind.Data } packet)
        {
            var line = Encoding.UTF8.GetString(packet.Data.Span).TrimEnd('\n');
            var nul = line.IndexOf('\0', StringComparison.Ordinal);
            refs.Add(nul < 0 ? line : line[..nul]);
        }

        var expected = await repo.GitLinesAsync("show-ref", "--head");
        Assert.Equal(expected, refs);
    }

    private async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        await reader.CopyToAsync(output, Token);
        return output.ToArray();
    }
}
