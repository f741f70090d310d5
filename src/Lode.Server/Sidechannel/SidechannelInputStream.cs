using System.Globalization;
using Lode.Core.Text;
using Lode.Git.PktLine;

namespace Lode.Server.Sidechannel;

/// <summary>
/// The server's view of what a client sends on a sidechannel (spec §7.3): frames of four hex digits (payload length
/// + 4) and the payload, ended by <c>0000</c>, which reads as the end of the stream. yamux as Go clients use it has no
/// half-close, hence the in-band end. The special lengths 0001–0003 are refused; so is the end of the stream before
/// <c>0000</c>, so that a truncated request can never look complete. Read-only, one reader at a time.
/// </summary>
public sealed class SidechannelInputStream(Stream inner) : Stream
{
    private readonly byte[] header = new byte[PktLine.HeaderLength];
    private int remaining;
    private int frameLength;
    private bool ended;

    public override bool CanRead => true;

    public override bool CanWrite => false;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (ended)
            {
                return 0;
            }

            if (remaining == 0)
            {
                await ReadHeaderAsync(cancellationToken);
                continue;
            }

            if (buffer.IsEmpty)
            {
                return 0;
            }

            var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, remaining)], cancellationToken);
            if (read == 0)
            {
                throw new SidechannelException(string.Create(CultureInfo.InvariantCulture,
                    $"pktLineSplitter: less than {frameLength} bytes in input"));
            }

            remaining -= read;
            return read;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads are not supported");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async ValueTask ReadHeaderAsync(CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < header.Length)
        {
            var read = await inner.ReadAsync(header.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                // As Gitaly: an input without its closing 0000 is truncated, never complete.
                throw new SidechannelException(filled == 0
                    ? "unexpected EOF"
                    : "pktLineSplitter: incomplete length prefix on " + GoQuote.Quote(header.AsSpan(0, filled)));
            }

            filled += read;
        }

        var length = PktLine.ParseHeader(header);
        switch (length)
        {
            case < 0:
                throw new SidechannelException("pktLineSplitter: decode length: invalid syntax " + GoQuote.Quote(header));
            case 0:
                ended = true;
                return;
            case 1 or 2 or 3:
                throw new SidechannelException("sidechannel: invalid header " + (char)header[3]);
            case > PktLine.MaxPacketLength:
                throw new SidechannelException("bufio.Scanner: token too long");
            default:
                frameLength = length;
                remaining = length - PktLine.HeaderLength;
                return;
        }
    }
}
