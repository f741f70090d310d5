using System.IO.Pipelines;

namespace Lode.Git.PktLine;

/// <summary>
/// Writes pkt-lines to a <see cref="PipeWriter"/> (or a Stream). Packets are buffered until
/// <see cref="FlushAsync"/>, which is also where back-pressure from a slow peer is applied. Not thread-safe.
/// </summary>
public sealed class PktLineWriter : IAsyncDisposable
{
    private readonly PipeWriter writer;
    private readonly bool ownsWriter;

    public PktLineWriter(PipeWriter writer)
    {
        this.writer = writer;
    }

    public PktLineWriter(Stream stream, bool leaveOpen = false)
    {
        writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: leaveOpen));
        ownsWriter = true;
    }

    /// <summary>One data packet; throws when <paramref name="data"/> exceeds <see cref="PktLine.MaxDataLength"/>.</summary>
    public void WriteData(ReadOnlySpan<byte> data) => PktLine.WriteData(writer, data);

    /// <summary>One data packet holding <paramref name="text"/> as UTF-8 (include the LF if the protocol wants one).</summary>
    public void WriteString(string text) => PktLine.WriteString(writer, text);

    public void WriteFlush() => PktLine.WriteFlush(writer);

    public void WriteDelim() => PktLine.WriteDelim(writer);

    public void WriteResponseEnd() => PktLine.WriteResponseEnd(writer);

    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await writer.FlushAsync(cancellationToken);

    /// <summary>Flushes what is buffered and, when the writer was made over a Stream, completes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (ownsWriter)
        {
            await writer.CompleteAsync();
        }
    }
}
