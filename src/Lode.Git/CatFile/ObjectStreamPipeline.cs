using System.Runtime.CompilerServices;

namespace Lode.Git.CatFile;

/// <summary>
/// Looks up a stream of objects on one <see cref="ObjectReader"/> with a bounded number of requests in flight, as
/// Gitaly's catfile pipeline steps do, handing out contents as streams so that blobs of any size pass through without
/// being buffered: lookups for the next objects are already queued while the current answer is read, so a walk over
/// 100,000 blobs does not pay 100,000 round trips, and memory stays bounded by the window. Answers come back in the
/// order of the source.
/// </summary>
public static class ObjectStreamPipeline
{
    /// <summary>Requests in flight at most; the queue is refilled and flushed when half of them were answered.</summary>
    public const int Window = 64;

    /// <summary>Each item with its object's info; null info when the object does not exist.</summary>
    public static async IAsyncEnumerable<(T Item, ObjectInfo? Info)> InfoAsync<T>(ObjectReader reader, IAsyncEnumerable<T> source,
        Func<T, string> revision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var queue = reader.CreateQueue();
        var pending = new Queue<T>(Window);
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        var more = true;
        while (true)
        {
            if (more && pending.Count <= Window / 2)
            {
                more = await FillAsync(items, pending, item => queue.RequestInfo(revision(item)));
                queue.Flush();
            }

            if (!pending.TryDequeue(out var next))
            {
                yield break;
            }

            yield return (next, await queue.ReadInfoAsync(cancellationToken));
        }
    }

    /// <summary>
    /// Each item with its object's content as a stream (null when the object does not exist). The consumer may read as
    /// much of a stream as it likes before asking for the next item: the rest is skipped here. Stopping early leaves the
    /// reader dirty, so the cache discards its process.
    /// </summary>
    public static async IAsyncEnumerable<(T Item, ObjectContentStream? Content)> ContentsAsync<T>(ObjectReader reader,
        IAsyncEnumerable<T> source, Func<T, string> revision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var queue = reader.CreateQueue();
        var pending = new Queue<T>(Window);
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        var more = true;
        while (true)
        {
            if (more && pending.Count <= Window / 2)
            {
                more = await FillAsync(items, pending, item => queue.RequestContents(revision(item)));
                queue.Flush();
            }

            if (!pending.TryDequeue(out var next))
            {
                yield break;
            }

            var content = await queue.OpenObjectAsync(cancellationToken);
            try
            {
                yield return (next, content);
                if (content is not null && content.Remaining > 0)
                {
                    await content.CopyToAsync(Stream.Null, cancellationToken);
                }
            }
            finally
            {
                content?.Dispose();
            }
        }
    }

    private static async ValueTask<bool> FillAsync<T>(IAsyncEnumerator<T> items, Queue<T> pending, Action<T> request)
    {
        while (pending.Count < Window)
        {
            if (!await items.MoveNextAsync())
            {
                return false;
            }

            request(items.Current);
            pending.Enqueue(items.Current);
        }

        return true;
    }
}
