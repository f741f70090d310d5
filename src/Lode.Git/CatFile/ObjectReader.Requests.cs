namespace Lode.Git.CatFile;

// Queuing requests and the reader's state checks: what may be sent and read when.
public sealed partial class ObjectReader
{
    internal int OutstandingCount => outstanding.Count;

    internal void Enqueue(CatFileRequestKind kind, string revision)
    {
        ThrowIfPoisoned();
        if (revision.Length == 0 || revision.Contains('\0', StringComparison.Ordinal) ||
            (!nulOutput && revision.Contains('\n', StringComparison.Ordinal)))
        {
            CatFileProtocol.ValidateRevision(System.Text.Encoding.UTF8.GetBytes(revision), nulOutput);
        }

        requests.Append(Command(kind), revision);
        Track(kind);
    }

    internal void Enqueue(CatFileRequestKind kind, ReadOnlySpan<byte> revision)
    {
        ThrowIfPoisoned();
        CatFileProtocol.ValidateRevision(revision, nulOutput);
        requests.Append(Command(kind), revision);
        Track(kind);
    }

    /// <summary>Sends <c>flush</c> so git writes out the answers to everything queued so far.</summary>
    internal void FlushRequests()
    {
        ThrowIfPoisoned();
        if (flushed < outstanding.Count)
        {
            requests.Flush();
            flushed = outstanding.Count;
        }
    }

    /// <summary>
    /// Called when a lease ends: a queue the caller left open is closed, so that a clean reader can serve the next
    /// request (a queue with unread answers makes it dirty).
    /// </summary>
    internal void EndLease()
    {
        // Disposing detaches the queue too, so a caller holding on to it cannot reach the next lessee's process.
        activeQueue?.Dispose();
    }

    internal void ReleaseQueue(ObjectQueue queue)
    {
        if (activeQueue != queue)
        {
            return;
        }

        activeQueue = null;
        if (outstanding.Count > 0)
        {
            // Answers nobody will read are still coming: the stream position is lost for the next user.
            Poison();
        }
    }

    private static ReadOnlySpan<byte> Command(CatFileRequestKind kind) =>
        kind == CatFileRequestKind.Info ? "info"u8 : "contents"u8;

    private void Track(CatFileRequestKind kind)
    {
        if (sentinel is not null && kind == CatFileRequestKind.Contents)
        {
            requests.Append("info"u8, sentinel);
        }

        outstanding.Enqueue(kind);
        (kind == CatFileRequestKind.Info ? metrics?.InfoLookups : metrics?.ObjectLookups)?.Inc();
    }

    private void EnsureIdle()
    {
        ThrowIfPoisoned();
        if (activeQueue is not null || outstanding.Count > 0 || openStream is not null)
        {
            throw new InvalidOperationException("cat-file reader is in use by a queue or an open object stream");
        }
    }

    private void ThrowIfPoisoned()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (poisoned)
        {
            throw new InvalidOperationException("cat-file reader is dirty: an earlier read failed or was abandoned");
        }
    }

    /// <summary>Claims the reader for reading the next answer, which must be of <paramref name="kind"/>.</summary>
    private void Begin(CatFileRequestKind kind)
    {
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException("cat-file reader used concurrently");
        }

        try
        {
            ThrowIfPoisoned();
            if (openStream is not null)
            {
                throw new InvalidOperationException("an object stream is still open; read it to the end first");
            }

            if (!outstanding.TryPeek(out var next))
            {
                throw new InvalidOperationException("no cat-file request is waiting for an answer");
            }

            if (next != kind)
            {
                throw new InvalidOperationException($"the next cat-file answer is for an {next} request");
            }

            // Reading an answer whose request was never flushed would wait forever for --buffer'ed output.
            if (flushed == 0)
            {
                FlushRequests();
            }

            outstanding.Dequeue();
            flushed--;
        }
        catch
        {
            Volatile.Write(ref busy, 0);
            throw;
        }
    }

    /// <summary>Marks the reader unusable and kills git; called whenever the output position is no longer known.</summary>
    private void Poison()
    {
        poisoned = true;
        if (Volatile.Read(ref disposed) == 0)
        {
            try
            {
                lifetime.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed concurrently; the process is being killed anyway.
            }
        }
    }
}
