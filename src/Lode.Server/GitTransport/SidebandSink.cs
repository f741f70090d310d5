using System.Buffers;
using Lode.Git.PktLine;

namespace Lode.Server.GitTransport;

/// <summary>
/// Multiplexes a child's stdout and stderr onto one byte stream as side-band packets (<c>len band data</c>, band 1
/// stdout, band 2 stderr, at most 65515 data bytes each), as SSHUploadPackWithSidechannel answers (spec §6.6). Each
/// packet goes out whole, one at a time.
/// </summary>
internal sealed class SidebandSink(ByteSink output) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public ValueTask StdoutAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => WriteAsync(SidebandChannel.Data, data, cancellationToken);

    public ValueTask StderrAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => WriteAsync(SidebandChannel.Progress, data, cancellationToken);

    public void Dispose() => gate.Dispose();

    private async ValueTask WriteAsync(SidebandChannel band, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var packet = ArrayPool<byte>.Shared.Rent(PktLine.MaxPacketLength);
        await gate.WaitAsync(cancellationToken);
        try
        {
            while (!data.IsEmpty)
            {
                var chunk = data[..Math.Min(data.Length, PktLine.MaxSidebandDataLength)];
                var length = PktLine.HeaderLength + 1 + chunk.Length;
                PktLine.WriteHeader(packet, length);
                packet[PktLine.HeaderLength] = (byte)band;
                chunk.CopyTo(packet.AsMemory(PktLine.HeaderLength + 1));
                await output(packet.AsMemory(0, length), cancellationToken);
                data = data[chunk.Length..];
            }
        }
        finally
        {
            gate.Release();
            ArrayPool<byte>.Shared.Return(packet);
        }
    }
}
