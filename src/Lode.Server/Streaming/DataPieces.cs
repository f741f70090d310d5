using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Lode.Server.Streaming;

/// <summary>
/// Cuts content into the data pieces Gitaly's list RPCs send as separate list items (ListBlobs' "continuation"
/// blobs): each piece is what one <c>io.Copy</c> buffer carries, 32 KiB, so a blob's data spreads over items of at most
/// that size, which the chunked writer then packs into messages of about 1 MiB.
/// </summary>
public static class DataPieces
{
    /// <summary>The data per piece, as in <see cref="ResponseChunkStream{TResponse}.ChunkSize"/>.</summary>
    public const int PieceSize = 32 * 1024;

    /// <summary>
    /// Reads up to <paramref name="maxBytes"/> of <paramref name="source"/> as pieces of <see cref="PieceSize"/> bytes (the
    /// last one shorter). Each piece is its own array, as the items holding them wait in a message being filled.
    /// </summary>
    public static async IAsyncEnumerable<ByteString> ReadAsync(Stream source, long maxBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long remaining = maxBytes;
        while (remaining > 0)
        {
            var piece = new byte[(int)Math.Min(PieceSize, remaining)];
            var filled = 0;
            while (filled < piece.Length)
            {
                var read = await source.ReadAsync(piece.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            if (filled == 0)
            {
                yield break;
            }

            remaining -= filled;
            yield return UnsafeByteOperations.UnsafeWrap(piece.AsMemory(0, filled));
            if (filled < piece.Length)
            {
                yield break;
            }
        }
    }
}
