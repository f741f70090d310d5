using System.Buffers;
using Google.Protobuf;
using Grpc.Core;

namespace Lode.Server.Streaming;

/// <summary>
/// Sends a byte stream (a file, a blob, git's stdout) as response messages of at most 128 KiB, the chunk size of
/// Gitaly's <c>streamio</c> writer. Clients concatenate the <c>data</c> fields, so only the total matters; the
/// bound keeps each message far below the 4 MiB limit and the memory per call fixed.
/// </summary>
public static class ByteStreamSender
{
    /// <summary>Gitaly's <c>streamio.WriteBufferSize</c>.</summary>
    public const int ChunkSize = 128 * 1024;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="writer"/> until end of stream and returns the number of
    /// bytes sent. Nothing is sent for an empty source. Each message is awaited before the buffer is reused.
    /// </summary>
    public static async Task<long> CopyAsync<TResponse>(Stream source, IServerStreamWriter<TResponse> writer,
        Func<ByteString, TResponse> toMessage, CancellationToken cancellationToken)
        where TResponse : class
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long total = 0;
            while (true)
            {
                var filled = await FillAsync(source, buffer.AsMemory(0, ChunkSize), cancellationToken);
                if (filled == 0)
                {
                    return total;
                }

                await writer.WriteAsync(toMessage(ByteString.CopyFrom(buffer, 0, filled)), cancellationToken);
                total += filled;
                if (filled < ChunkSize)
                {
                    return total;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends <paramref name="data"/> in chunks of at most <see cref="ChunkSize"/>; nothing for empty data.</summary>
    public static async Task SendAsync<TResponse>(ReadOnlyMemory<byte> data, IServerStreamWriter<TResponse> writer,
        Func<ByteString, TResponse> toMessage, CancellationToken cancellationToken)
        where TResponse : class
    {
        for (var offset = 0; offset < data.Length; offset += ChunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(ChunkSize, data.Length - offset));
            await writer.WriteAsync(toMessage(ByteString.CopyFrom(chunk.Span)), cancellationToken);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer[filled..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
