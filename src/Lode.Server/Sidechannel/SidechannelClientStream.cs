using Lode.Git.PktLine;
using Lode.Yamux;

namespace Lode.Server.Sidechannel;

/// <summary>
/// The client's end of a sidechannel (spec §7.3): writes are framed (<c>len+4</c> in hex, then at most 65516 bytes of
/// payload), <see cref="CloseWriteAsync"/> sends the <c>0000</c> that ends the client's input; reads are the server's
/// raw bytes until it closes the stream.
/// </summary>
public sealed class SidechannelClientStream(YamuxStream stream)
{
    private readonly byte[] header = new byte[PktLine.HeaderLength];
    private bool writeClosed;

    public YamuxStream Stream => stream;

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => stream.ReadAsync(buffer, cancellationToken);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (writeClosed)
        {
            throw new SidechannelException("sidechannel: write into a half-closed connection");
        }

        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(data.Length, SidechannelProtocol.MaxFramePayload)];

            // Header and payload go out as two writes, as Gitaly's client does: servers must reassemble frames.
            PktLine.WriteHeader(header, chunk.Length + PktLine.HeaderLength);
            await stream.WriteAsync(header, cancellationToken);
            await stream.WriteAsync(chunk, cancellationToken);
            data = data[chunk.Length..];
        }
    }

    /// <summary>Sends <c>0000</c>: the server reads the end of the client's input. Reading goes on.</summary>
    public async ValueTask CloseWriteAsync(CancellationToken cancellationToken)
    {
        if (writeClosed)
        {
            return;
        }

        writeClosed = true;
        await stream.WriteAsync("0000"u8.ToArray(), cancellationToken);
    }
}
