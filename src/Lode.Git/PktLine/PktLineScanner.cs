using System.Buffers;
using System.Globalization;
using System.Text;

namespace Lode.Git.PktLine;

/// <summary>Gets one whole packet (header included); returns false to stop scanning.</summary>
public delegate bool PktLineHandler(ReadOnlySpan<byte> packet);

/// <summary>
/// Finds pkt-lines in a byte stream that is fed in arbitrary chunks, for code that watches a client's input on its
/// way to git (negotiation statistics, the negotiation deadline) without holding it up. At most one packet is
/// buffered. Like Gitaly's scanner it takes <c>0000</c>–<c>0003</c> as four-byte packets; a header that is not hex or
/// a packet longer than 65520 bytes ends scanning with <see cref="Error"/> set. Not thread-safe.
/// </summary>
public sealed class PktLineScanner : IDisposable
{
    private byte[]? buffer;
    private int buffered;
    private int expected;

    /// <summary>True once the handler asked to stop or the input turned out not to be pkt-lines.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Why scanning stopped on bad input; null otherwise.</summary>
    public string? Error { get; private set; }

    /// <summary>Packet bytes seen but not yet complete (a truncated last packet when the input ends).</summary>
    public int Pending => buffered;

    /// <summary>Scans <paramref name="data"/>, calling <paramref name="handler"/> for every packet completed by it.</summary>
    public void Feed(ReadOnlySpan<byte> data, PktLineHandler handler)
    {
        while (!data.IsEmpty && !Stopped)
        {
            buffer ??= ArrayPool<byte>.Shared.Rent(PktLine.MaxPacketLength);
            if (buffered < PktLine.HeaderLength)
            {
                var take = Math.Min(PktLine.HeaderLength - buffered, data.Length);
                data[..take].CopyTo(buffer.AsSpan(buffered));
                buffered += take;
                data = data[take..];
                if (buffered < PktLine.HeaderLength)
                {
                    return;
                }

                var length = PktLine.ParseHeader(buffer.AsSpan(0, PktLine.HeaderLength));
                if (length < 0)
                {
                    Fail("decode length: invalid syntax " + Encoding.Latin1.GetString(buffer, 0, PktLine.HeaderLength));
                    return;
                }

                if (length > PktLine.MaxPacketLength)
                {
                    Fail("packet too long: " + length.ToString(CultureInfo.InvariantCulture));
                    return;
                }

                expected = Math.Max(length, PktLine.HeaderLength);
            }

            var rest = Math.Min(expected - buffered, data.Length);
            data[..rest].CopyTo(buffer.AsSpan(buffered));
            buffered += rest;
            data = data[rest..];
            if (buffered == expected)
            {
                buffered = 0;
                if (!handler(buffer.AsSpan(0, expected)))
                {
                    Stopped = true;
                }
            }
        }
    }

    /// <summary>Data of a packet: what follows the header (nothing for the special packets).</summary>
    public static ReadOnlySpan<byte> DataOf(ReadOnlySpan<byte> packet) =>
        packet.Length > PktLine.HeaderLength ? packet[PktLine.HeaderLength..] : [];

    public void Dispose()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    private void Fail(string error)
    {
        Error = "pktLineSplitter: " + error;
        Stopped = true;
    }
}
