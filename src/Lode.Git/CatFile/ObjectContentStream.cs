namespace Lode.Git.CatFile;

/// <summary>
/// The content of one object, read straight from the cat-file pipe: yields exactly <see cref="ObjectInfo.Size"/>
/// bytes. Must be read to the end before the reader's next request; disposing it earlier makes the reader dirty
/// (its process is killed, because the rest of the object is still in the pipe).
/// </summary>
public sealed class ObjectContentStream : Stream
{
    private ObjectReader? reader;
    private GitObject? buffered;

    internal ObjectContentStream(ObjectReader reader, ObjectInfo info)
    {
        this.reader = reader;
        Info = info;
        Remaining = info.Size;
    }

    /// <summary>A stream over an object that had to be read whole (mailmapped commits on old git).</summary>
    internal ObjectContentStream(GitObject buffered)
    {
        this.buffered = buffered;
        Info = buffered.Info;
        Remaining = buffered.Size;
    }

    public ObjectInfo Info { get; }

    /// <summary>Content bytes not read yet.</summary>
    internal long Remaining { get; set; }

    public override bool CanRead => reader is not null || buffered is not null;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The object's size: known from the header, so callers can announce it before copying.</summary>
    public override long Length => Info.Size;

    public override long Position
    {
        get => Info.Size - Remaining;
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffered is null)
        {
            return Reader.ReadStreamAsync(this, buffer, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var count = (int)Math.Min(buffer.Length, Remaining);
        buffered.Span.Slice((int)Position, count).CopyTo(buffer.Span);
        Remaining -= count;
        return ValueTask.FromResult(count);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Synchronous reads block on the pipe; prefer the async methods.</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>Copies the remaining content without an intermediate buffer: pipe segments are written as they are.</summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        if (buffered is null)
        {
            await Reader.CopyStreamAsync(this, destination, cancellationToken);
            return;
        }

        var rest = buffered.Content[(int)Position..];
        Remaining = 0;
        await destination.WriteAsync(rest, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reader?.CloseStream(this);
            reader = null;
            buffered?.Dispose();
            buffered = null;
        }

        base.Dispose(disposing);
    }

    private ObjectReader Reader => reader ?? throw new ObjectDisposedException(nameof(ObjectContentStream));
}
