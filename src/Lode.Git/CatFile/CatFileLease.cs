namespace Lode.Git.CatFile;

/// <summary>
/// Exclusive use of one <see cref="ObjectReader"/> for the length of a request. Disposing it hands the reader back
/// to the cache, which keeps it (clean, with a session id) or kills it.
/// </summary>
public sealed class CatFileLease : IAsyncDisposable
{
    private readonly CatFileCache cache;
    private readonly CatFileCacheKey? key;
    private int returned;

    internal CatFileLease(CatFileCache cache, CatFileCacheKey? key, ObjectReader reader, bool fromCache)
    {
        this.cache = cache;
        this.key = key;
        Reader = reader;
        FromCache = fromCache;
    }

    public ObjectReader Reader { get; }

    /// <summary>True when the reader was a cached process (a cache hit).</summary>
    public bool FromCache { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref returned, 1) == 0)
        {
            await cache.ReturnAsync(key, Reader);
        }
    }
}
