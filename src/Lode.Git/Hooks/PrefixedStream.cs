namespace Lode.Git.Hooks;

/// <summary>A read-only stream of some bytes already read, then the rest of the source: a one-time peek put back.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream source) : Stream
{
    private ReadOnlyMemory<byte> prefix = prefix;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (prefix.IsEmpty)
        {
            return await source.ReadAsync(buffer, cancellationToken);
        }

        var n = Math.Min(prefix.Length, buffer.Length);
        prefix[..n].CopyTo(buffer);
        prefix = prefix[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads are not supported");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
