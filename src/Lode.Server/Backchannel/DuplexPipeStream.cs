using System.Buffers;
using System.IO.Pipelines;

namespace Lode.Server.Backchannel;

/// <summary>
/// A connection's two pipes seen as one <see cref="Stream"/>, so that a yamux session can run over a Kestrel
/// connection. Disposing completes both pipes, which closes the connection.
/// </summary>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    private int disposed;

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
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var data = result.Buffer;
            if (result.IsCanceled)
            {
                input.AdvanceTo(data.Start);
                throw new OperationCanceledException("read cancelled");
            }

            if (!data.IsEmpty)
            {
                var n = (int)Math.Min(data.Length, buffer.Length);
                data.Slice(0, n).CopyTo(buffer.Span);
                input.AdvanceTo(data.GetPosition(n));
                return n;
            }

            input.AdvanceTo(data.End);
            if (result.IsCompleted)
            {
                return 0;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads are not supported");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await output.WriteAsync(buffer, cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("connection closed");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous writes are not supported");

    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref disposed, 1) == 0)
        {
            input.Complete();
            output.Complete();
        }

        base.Dispose(disposing);
    }
}
