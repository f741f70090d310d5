using System.Buffers;

namespace Lode.Server.GitTransport;

/// <summary>
/// Copies a child's stdout to a sink, one read per sink call: whatever git wrote goes out at once (progress
/// messages are keepalives for the client), never waiting to fill a chunk, never holding more than one buffer.
/// </summary>
internal static class OutputCopier
{
    public static async Task<long> CopyAsync(Stream source, ByteSink sink, int bufferSize, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            long total = 0;
            while (true)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, bufferSize), cancellationToken);
                if (read == 0)
                {
                    return total;
                }

                await sink(buffer.AsMemory(0, read), cancellationToken);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
