namespace Lode.Git.CatFile;

/// <summary>
/// Pipelined requests on one <see cref="ObjectReader"/>: queue many <c>info</c>/<c>contents</c> requests, then read
/// the answers in the same order. Reading 10,000 commits this way costs one round trip, not 10,000.
/// </summary>
/// <remarks>
/// <para>Requests are buffered and sent to git in the background (see <see cref="CatFileRequestWriter"/>), so queuing
/// never blocks, however many answers are still unread. <see cref="Flush"/> asks git to write out its answers;
/// reading an answer whose request was not flushed yet flushes automatically, so queuing and reading may be
/// interleaved freely.</para>
/// <para>Each read method must match the kind of the oldest unread request (info vs contents). Disposing the queue
/// with answers unread makes the reader dirty. Not thread-safe, like the reader.</para>
/// </remarks>
public sealed class ObjectQueue : IDisposable
{
    private ObjectReader? reader;

    internal ObjectQueue(ObjectReader reader)
    {
        this.reader = reader;
    }

    /// <summary>Requests queued whose answers have not been read yet.</summary>
    public int Outstanding => Reader.OutstandingCount;

    private ObjectReader Reader => reader ?? throw new ObjectDisposedException(nameof(ObjectQueue));

    public void RequestInfo(string revision) => Reader.Enqueue(CatFileRequestKind.Info, revision);

    public void RequestInfo(ReadOnlySpan<byte> revision) => Reader.Enqueue(CatFileRequestKind.Info, revision);

    public void RequestContents(string revision) => Reader.Enqueue(CatFileRequestKind.Contents, revision);

    public void RequestContents(ReadOnlySpan<byte> revision) => Reader.Enqueue(CatFileRequestKind.Contents, revision);

    /// <summary>Sends <c>flush</c>: git writes out the answers to everything queued so far. Never blocks.</summary>
    public void Flush() => Reader.FlushRequests();

    /// <summary>The answer to the oldest unread request, which must be an info request; null when missing.</summary>
    public Task<ObjectInfo?> ReadInfoAsync(CancellationToken cancellationToken) => Reader.ReadInfoCoreAsync(cancellationToken);

    /// <summary>The answer to the oldest unread request, which must be a contents request, buffered; null when missing.</summary>
    public Task<GitObject?> ReadObjectAsync(CancellationToken cancellationToken) => Reader.ReadObjectCoreAsync(cancellationToken);

    /// <summary>
    /// The answer to the oldest unread contents request as a stream; read it to the end before the next answer.
    /// </summary>
    public Task<ObjectContentStream?> OpenObjectAsync(CancellationToken cancellationToken) => Reader.OpenObjectCoreAsync(cancellationToken);

    /// <summary>Ends the queue; answers still unread make the reader dirty.</summary>
    public void Dispose()
    {
        reader?.ReleaseQueue(this);
        reader = null;
    }
}
