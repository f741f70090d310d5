using System.Buffers;
using System.Text;
using Lode.Git.PktLine;

namespace Lode.Server.GitTransport;

/// <summary>
/// Sits between a stateless receive-pack with <c>side-band-64k</c> and the client. Every packet goes through except
/// the flush that ends git's output, which is held back so that the server can still add sideband messages after it
/// (what git's own post-receive hook would have printed there). It also keeps band 1, which carries the
/// report-status, to tell which refs were updated. <paramref name="flushed"/> is called once that flush has arrived
/// and everything before it went out: the report is then complete, and git has nothing left to write.
/// </summary>
internal sealed class ReportStatusTap(ByteSink output, Action<ReportStatusTap>? flushed = null)
{
    private readonly ArrayBufferWriter<byte> report = new();
    private readonly byte[] header = new byte[4];
    private int headerFill;
    private int payloadLeft;
    private bool payloadIsBand1;
    private bool firstPayloadByte;

    /// <summary>Whether git's output ended with the flush that was held back.</summary>
    public bool HeldFlush { get; private set; }

    /// <summary>False when git's output was not sideband pkt-lines throughout: nothing may then be added to it.</summary>
    public bool Framed { get; private set; } = true;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Packet headers go out only once complete (a header split across reads may be the flush to hold back).
        var outgoing = new MemoryStream(data.Length + 4);
        var wasHeld = HeldFlush;
        var span = data.Span;
        for (var i = 0; i < span.Length;)
        {
            if (!Framed || HeldFlush)
            {
                // git writes nothing after its final flush; anything here is a stream this tap does not understand,
                // and goes out as it came, that flush first.
                if (HeldFlush)
                {
                    outgoing.Write("0000"u8);
                    HeldFlush = false;
                    Framed = false;
                }

                outgoing.Write(header, 0, headerFill);
                headerFill = 0;
                outgoing.Write(span[i..]);
                break;
            }

            if (payloadLeft > 0)
            {
                var take = Math.Min(payloadLeft, span.Length - i);
                var payload = span.Slice(i, take);
                outgoing.Write(payload);
                if (firstPayloadByte)
                {
                    payloadIsBand1 = payload[0] == 1;
                    payload = payload[1..];
                    firstPayloadByte = false;
                }

                if (payloadIsBand1)
                {
                    report.Write(payload);
                }

                payloadLeft -= take;
                i += take;
                continue;
            }

            header[headerFill++] = span[i++];
            if (headerFill < 4)
            {
                continue;
            }

            headerFill = 0;
            var length = PktLine.ParseHeader(header);
            if (length is < 0 or (> 0 and < 5))
            {
                Framed = false;
                outgoing.Write(header);
                continue;
            }

            if (length == 0)
            {
                HeldFlush = true;
                continue;
            }

            outgoing.Write(header);
            payloadLeft = length - 4;
            firstPayloadByte = true;
        }

        if (outgoing.Length > 0)
        {
            await output(outgoing.GetBuffer().AsMemory(0, (int)outgoing.Length), cancellationToken);
        }

        if (HeldFlush && !wasHeld && Framed)
        {
            flushed?.Invoke(this);
        }
    }

    /// <summary>
    /// What git wrote that is still held: the final flush, or a partial header if git's output stopped in the middle
    /// of one. Sent after the server's own messages.
    /// </summary>
    public ReadOnlyMemory<byte> Held => HeldFlush ? "0000"u8.ToArray() : header.AsMemory(0, headerFill);

    /// <summary>The refs reported <c>ok</c> in git's report-status (v1 or v2).</summary>
    public HashSet<string> UpdatedRefs()
    {
        var updated = new HashSet<string>(StringComparer.Ordinal);
        using var scanner = new PktLineScanner();
        scanner.Feed(report.WrittenSpan, packet =>
        {
            var line = PktLineScanner.DataOf(packet);
            if (line.Length > 0 && line[^1] == '\n')
            {
                line = line[..^1];
            }

            if (line.StartsWith("ok "u8))
            {
                updated.Add(Encoding.UTF8.GetString(line[3..]));
            }

            return true;
        });
        return updated;
    }
}
