using System.Buffers;
using System.IO.Pipelines;

namespace Lode.Yamux.Tests;

/// <summary>
/// One end of an in-memory duplex connection. Reads can be cut into random 1..<c>maxChunk</c>-byte pieces so that
/// frames arrive split at every possible offset. Writes block when the peer has 64 KiB unread, like a socket buffer.
/// Disposing is an abrupt close: the peer reads end of stream, pending operations here fail.
/// </summary>
internal sealed class PipeDuplexStream : Stream
{
    private readonly PipeReader input;
    private readonly PipeWriter output;
    private readonly Random? chunker;
    private readonly int maxChunk;
    private readonly Lock chunkerGate = new();
    private int disposed;

    public PipeDuplexStream(PipeReader input, PipeWriter output, Random? chunker = null, int maxChunk = int.MaxValue)
    {
        this.input = input;
        this.output = output;
        this.chunker = chunker;
        this.maxChunk = maxChunk;
    }

    /// <summary>A connected pair; <paramref name="seed"/> turns on random read chunking on both ends.</summary>
    public static (PipeDuplexStream A, PipeDuplexStream B) CreatePair(int? seed = null, int maxChunk = 64)
    {
        var options = new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false);
        var ab = new Pipe(options);
        var ba = new Pipe(options);
        Random? ra = seed is { } s ? new Random(s) : null;
        Random? rb = seed is { } t ? new Random(t + 1) : null;
        return (new PipeDuplexStream(ba.Reader, ab.Writer, ra, maxChunk), new PipeDuplexStream(ab.Reader, ba.Writer, rb, maxChunk));
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await input.ReadAsync(cancellationToken);
            if (result.IsCanceled || Volatile.Read(ref disposed) != 0)
            {
                throw new IOException("pipe closed");
            }

            var data = result.Buffer;
            if (data.IsEmpty)
            {
                input.AdvanceTo(data.End);
                return 0;
            }

            var n = (int)Math.Min(data.Length, buffer.Length);
            if (chunker is not null)
            {
                lock (chunkerGate)
                {
                    n = Math.Min(n, chunker.Next(1, maxChunk + 1));
                }
            }

            data.Slice(0, n).CopyTo(buffer.Span);
            input.AdvanceTo(data.GetPosition(n));
            return n;
        }
        catch (InvalidOperationException e)
        {
            throw new IOException("pipe closed", e);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            var result = await output.WriteAsync(buffer, cancellationToken);
            if (result.IsCanceled || result.IsCompleted || Volatile.Read(ref disposed) != 0)
            {
                throw new IOException("pipe closed");
            }
        }
        catch (InvalidOperationException e)
        {
            throw new IOException("pipe closed", e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            input.CancelPendingRead();
            output.CancelPendingFlush();
            output.Complete();
            input.Complete();
        }

        base.Dispose(disposing);
    }
}
