using System.Buffers;
using Google.Protobuf;
using Grpc.Core;

namespace Lode.Server.Streaming;

/// <summary>
/// A write-only stream that turns bytes into response messages of exactly <see cref="ChunkSize"/> bytes of data (the
/// last one shorter), for blobs, archives and snapshots. Gitaly copies these with <c>io.Copy</c> into a
/// <c>streamio</c> writer, so its messages carry at most io.Copy's 32 KiB buffer; this sends full 32 KiB chunks.
/// </summary>
/// <remarks>
/// Data is wrapped, not copied, into each message (<see cref="UnsafeByteOperations"/>), from a pooled buffer or straight
/// from the caller's memory: every message is awaited before the memory is reused, and gRPC has serialized it by then.
/// Memory per call is one chunk, whatever the size of what passes through.
/// </remarks>
public sealed class ResponseChunkStream<TResponse> : Stream
    where TResponse : class
{
    /// <summary>The data per message: the buffer of Go's <c>io.Copy</c>, which is what bounds Gitaly's messages.</summary>
    public const int ChunkSize = 32 * 1024;

    private readonly IServerStreamWriter<TResponse> writer;
    private readonly Func<ByteString, TResponse> toMessage;
    private readonly CancellationToken cancellationToken;
    private byte[]? chunkBuffer;
    private int count;

    /// <param name="toMessage">Builds a message around a chunk; it is called once per message, in order.</param>
    public ResponseChunkStream(IServerStreamWriter<TResponse> writer, Func<ByteString, TResponse> toMessage, CancellationToken cancellationToken)
    {
        this.writer = writer;
        this.toMessage = toMessage;
        this.cancellationToken = cancellationToken;
        chunkBuffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
    }

    /// <summary>Bytes accepted so far (sent or waiting in the buffer).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Messages sent so far.</summary>
    public int MessagesSent { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Reads up to <paramref name="maxBytes"/> from <paramref name="source"/> straight into the chunk buffer, sending each
    /// full chunk; returns the bytes copied (less than asked only when the source ended).
    /// </summary>
    public async Task<long> CopyFromAsync(Stream source, long maxBytes)
    {
        var chunk = Buffer;
        long copied = 0;
        while (copied < maxBytes)
        {
            var want = (int)Math.Min(ChunkSize - count, maxBytes - copied);
            var read = await source.ReadAsync(chunk.AsMemory(count, want), cancellationToken);
            if (read == 0)
            {
                break;
            }

            count += read;
            copied += read;
            BytesWritten += read;
            if (count == ChunkSize)
            {
                await SendBufferAsync();
            }
        }

        return copied;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var chunk = Buffer;
        var source = buffer;
        BytesWritten += source.Length;
        while (!source.IsEmpty)
        {
            if (count == 0 && source.Length >= ChunkSize)
            {
                // A whole chunk of the caller's memory: send it as it is, the caller waits for us anyway.
                await SendAsync(source[..ChunkSize]);
                source = source[ChunkSize..];
                continue;
            }

            var take = Math.Min(ChunkSize - count, source.Length);
            source.Span[..take].CopyTo(chunk.AsSpan(count));
            count += take;
            source = source[take..];
            if (count == ChunkSize)
            {
                await SendBufferAsync();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sends what is left in the buffer; nothing when it is empty. Call once the source is exhausted.</summary>
    public async Task CompleteAsync()
    {
        if (count > 0)
        {
            await SendBufferAsync();
        }
    }

    /// <summary>A no-op: flushing must not cut a short message in the middle of the data (tar writers flush per entry).</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Synchronous writes would block a thread on the network; everything here writes asynchronously.</summary>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("use WriteAsync");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref chunkBuffer, null) is { } rented)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        base.Dispose(disposing);
    }

    private byte[] Buffer => chunkBuffer ?? throw new ObjectDisposedException(nameof(ResponseChunkStream<TResponse>));

    private async Task SendBufferAsync()
    {
        await SendAsync(Buffer.AsMemory(0, count));
        count = 0;
    }

    private async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        await writer.WriteAsync(toMessage(UnsafeByteOperations.UnsafeWrap(data)), cancellationToken);
        MessagesSent++;
    }
}
