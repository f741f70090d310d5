using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Lode.Git.PktLine;

/// <summary>
/// Reads pkt-lines from a <see cref="PipeReader"/> (or a Stream). Packet data is copied into one pooled buffer
/// owned by the reader: a packet's <see cref="PktLinePacket.Data"/> is valid until the next
/// <see cref="ReadAsync"/> or until the reader is disposed. Not thread-safe.
/// </summary>
public sealed class PktLineReader : IAsyncDisposable
{
    private readonly PipeReader reader;
    private readonly bool ownsReader;
    private byte[]? buffer = ArrayPool<byte>.Shared.Rent(PktLine.MaxDataLength);

    /// <summary>Reads from <paramref name="reader"/>, which stays the caller's to complete.</summary>
    public PktLineReader(PipeReader reader)
    {
        this.reader = reader;
    }

    /// <summary>Reads from <paramref name="stream"/>; the stream is closed on dispose unless <paramref name="leaveOpen"/>.</summary>
    public PktLineReader(Stream stream, bool leaveOpen = false)
    {
        reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: leaveOpen));
        ownsReader = true;
    }

    /// <summary>
    /// The next packet, or null at the end of the input between packets. Throws <see cref="PktLineFormatException"/>
    /// for an invalid length and when the input ends inside a packet.
    /// </summary>
    public async ValueTask<PktLinePacket?> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(buffer is null, this);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var input = result.Buffer;
            if (TryParse(ref input, out var packet))
            {
                reader.AdvanceTo(input.Start);
                return packet;
            }

            if (result.IsCompleted)
            {
                // The buffer must not be touched after AdvanceTo, so the header is taken first.
                var truncated = input.IsEmpty ? null : Header(input);
                reader.AdvanceTo(input.End);
                return truncated is null
                    ? null
                    : throw new PktLineFormatException("pkt-line: unexpected end of input", truncated);
            }

            reader.AdvanceTo(input.Start, input.End);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (buffer is null)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        buffer = null;
        if (ownsReader)
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>Parses one whole packet from the front of <paramref name="input"/>, slicing it off on success.</summary>
    private bool TryParse(ref ReadOnlySequence<byte> input, out PktLinePacket packet)
    {
        packet = default;
        if (input.Length < PktLine.HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[PktLine.HeaderLength];
        input.Slice(0, PktLine.HeaderLength).CopyTo(header);
        var length = PktLine.ParseHeader(header);
        var kind = length switch
        {
            0 => PktLineKind.Flush,
            1 => PktLineKind.Delim,
            2 => PktLineKind.ResponseEnd,
            >= PktLine.HeaderLength and <= PktLine.MaxPacketLength => PktLineKind.Data,
            _ => throw new PktLineFormatException("pkt-line: invalid length", Encoding.Latin1.GetString(header)),
        };

        if (kind != PktLineKind.Data)
        {
            input = input.Slice(PktLine.HeaderLength);
            packet = new PktLinePacket(kind, ReadOnlyMemory<byte>.Empty);
            return true;
        }

        if (input.Length < length)
        {
            return false;
        }

        var dataLength = length - PktLine.HeaderLength;
        input.Slice(PktLine.HeaderLength, dataLength).CopyTo(buffer);
        input = input.Slice(length);
        packet = new PktLinePacket(PktLineKind.Data, buffer.AsMemory(0, dataLength));
        return true;
    }

    private static string Header(ReadOnlySequence<byte> input) =>
        Encoding.Latin1.GetString(input.Slice(0, Math.Min(input.Length, PktLine.HeaderLength)));
}
