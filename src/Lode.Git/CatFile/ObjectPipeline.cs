using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Lode.Git.CatFile;

/// <summary>
/// Gitaly's gitpipe between a git child that lists object ids and a cat-file reader: <see cref="Buffer{T}"/> decouples
/// the child's output with a bounded channel, and <see cref="ReadAsync{T}"/> reads the objects through one
/// <see cref="ObjectQueue"/> with a window of requests in flight, so git answers the next objects while the caller
/// converts and sends the current one. No item costs a round trip of its own, memory stays bounded by the window
/// however long the list, and answers come back in item order.
/// </summary>
/// <remarks>
/// Requests are topped up in batches (whenever half the window is free), so each <c>flush</c> to cat-file covers
/// many objects. A caller that stops early (a page limit) leaves answers unread; they are drained so that a pooled
/// reader stays clean. Only one pipeline may run on a reader at a time, as with any queue.
/// </remarks>
public static class ObjectPipeline
{
    /// <summary>Requests in flight by default: enough to hide the round trip, small enough to drain quickly.</summary>
    public const int DefaultWindow = 256;

    /// <summary>
    /// Copies <paramref name="source"/> into a bounded channel on a background task (<paramref name="producer"/>), so a
    /// child keeps printing while objects are read, without ever holding more than <paramref name="capacity"/> items.
    /// The producer never throws: a failure of the source completes the channel with that error (the reader sees it
    /// where the pipeline is consumed), and cancellation just completes the channel.
    /// </summary>
    public static ChannelReader<T> Buffer<T>(IAsyncEnumerable<T> source, int capacity, CancellationToken cancellationToken, out Task producer)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        producer = ProduceAsync(source, channel.Writer, cancellationToken);
        return channel.Reader;
    }

    /// <summary>A channel already holding every item of a list: for requests that name their objects.</summary>
    public static ChannelReader<T> FromList<T>(IEnumerable<T> items)
    {
        var channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        foreach (var item in items)
        {
            channel.Writer.TryWrite(item);
        }

        channel.Writer.TryComplete();
        return channel.Reader;
    }

    /// <summary>
    /// Reads the object each item names, in item order: <paramref name="request"/> queues exactly one <c>contents</c>
    /// lookup for the item, and at most <paramref name="window"/> lookups are in flight. The object is null when git
    /// reports it missing; the caller disposes each object.
    /// </summary>
    public static async IAsyncEnumerable<(T Item, GitObject? Object)> ReadAsync<T>(ObjectReader reader, ChannelReader<T> source,
        Action<ObjectQueue, T> request, int window = DefaultWindow, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var queue = reader.CreateQueue();
        var inFlight = new Queue<T>(Math.Min(window, 1024));
        var sourceDone = false;
        try
        {
            while (true)
            {
                if (!sourceDone && inFlight.Count <= window / 2)
                {
                    sourceDone = await TopUpAsync(queue, source, request, inFlight, window, cancellationToken);
                }

                if (inFlight.Count == 0)
                {
                    // Completed; a source failure surfaces here through the channel's completion.
                    await source.Completion;
                    yield break;
                }

                queue.Flush();
                var obj = await queue.ReadObjectAsync(cancellationToken);
                yield return (inFlight.Dequeue(), obj);
            }
        }
        finally
        {
            await DrainAsync(queue, inFlight, cancellationToken);
        }
    }

    /// <summary>Queues what the source has ready, up to the window; waits only when nothing is in flight.</summary>
    /// <returns>True when the source is finished.</returns>
    private static async ValueTask<bool> TopUpAsync<T>(ObjectQueue queue, ChannelReader<T> source, Action<ObjectQueue, T> request,
        Queue<T> inFlight, int window, CancellationToken cancellationToken)
    {
        while (inFlight.Count < window)
        {
            if (source.TryRead(out var item))
            {
                request(queue, item);
                inFlight.Enqueue(item);
                continue;
            }

            if (inFlight.Count > 0)
            {
                return false;
            }

            if (!await source.WaitToReadAsync(cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads and drops the answers nobody will read, so that the reader can serve the next request.</summary>
    private static async Task DrainAsync<T>(ObjectQueue queue, Queue<T> inFlight, CancellationToken cancellationToken)
    {
        try
        {
            if (inFlight.Count > 0 && !cancellationToken.IsCancellationRequested)
            {
                queue.Flush();
                while (inFlight.Count > 0)
                {
                    using (await queue.ReadObjectAsync(cancellationToken))
                    {
                        inFlight.Dequeue();
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or Core.Errors.LodeException)
        {
            // The reader failed or the call ended: disposing the queue below marks it dirty and the cache kills it.
        }
        finally
        {
            queue.Dispose();
        }
    }

    private static async Task ProduceAsync<T>(IAsyncEnumerable<T> source, ChannelWriter<T> writer, CancellationToken cancellationToken)
    {
        // Leave the caller's context before the first await of the source, so Buffer returns at once.
        await Task.Yield();
        Exception? failure = null;
        try
        {
            await foreach (var item in source.WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(item, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the consumer; the channel just ends.
        }
        catch (Exception e)
        {
            // Handed to the reader through the channel, which rethrows it where the pipeline is consumed.
            failure = e;
        }

        writer.TryComplete(failure);
    }
}
