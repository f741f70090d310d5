using System.Buffers;

namespace Lode.Git.CatFile;

/// <summary>
/// An object read whole into memory, for commits, tags and trees (big blobs are streamed with
/// <see cref="ObjectReader.OpenAsync(string, CancellationToken)"/>). The content lives in a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>: dispose the object when done and do not keep <see cref="Content"/> past that.
/// </summary>
public sealed class GitObject : IDisposable
{
    private byte[]? buffer;

    internal GitObject(ObjectInfo info, byte[] buffer)
    {
        Info = info;
        this.buffer = buffer;
    }

    public ObjectInfo Info { get; }

    public string Oid => Info.Oid;

    public string Type => Info.Type;

    public long Size => Info.Size;

    /// <summary>The object's bytes; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Content =>
        (buffer ?? throw new ObjectDisposedException(nameof(GitObject))).AsMemory(0, (int)Info.Size);

    public ReadOnlySpan<byte> Span => Content.Span;

    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref buffer, null);
        if (rented is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
