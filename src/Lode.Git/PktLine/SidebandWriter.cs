using System.IO.Pipelines;

namespace Lode.Git.PktLine;

/// <summary>
/// Writes side-band-64k packets (<c>len band data</c>), splitting writes larger than one packet
/// (<see cref="PktLine.MaxSidebandDataLength"/> bytes of data) into several. Not thread-safe.
/// </summary>
public sealed class SidebandWriter(PipeWriter writer)
{
    /// <summary>Buffers <paramref name="data"/> on <paramref name="band"/>; nothing is sent until a flush.</summary>
    public void Write(SidebandChannel band, ReadOnlySpan<byte> data)
    {
        // As git's send_sideband: an empty write sends no packet.
        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(data.Length, PktLine.MaxSidebandDataLength)];
            PktLine.WriteSideband(writer, (byte)band, chunk);
            data = data[chunk.Length..];
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> on <paramref name="band"/>, flushing after each packet so that a large write
    /// is never held in memory whole and a slow reader slows us down.
    /// </summary>
    public async ValueTask WriteAsync(SidebandChannel band, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(data.Length, PktLine.MaxSidebandDataLength)];
            PktLine.WriteSideband(writer, (byte)band, chunk.Span);
            data = data[chunk.Length..];
            await writer.FlushAsync(cancellationToken);
        }
    }

    public void WriteFlush() => PktLine.WriteFlush(writer);

    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await writer.FlushAsync(cancellationToken);
}
