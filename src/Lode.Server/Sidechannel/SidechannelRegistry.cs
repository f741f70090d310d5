using System.Collections.Concurrent;
using Lode.Yamux;

namespace Lode.Server.Sidechannel;

/// <summary>
/// The client side of sidechannels (spec §7.2), as workhorse and gitlab-shell have it: before a call the client
/// registers a waiter and sends its id as <c>gitaly-sidechannel-id</c>; when the server opens a stream saying
/// <c>sidechannel</c> + id, the stream is handed to that waiter, which answers <c>ok</c> and runs its callback. Ids
/// count up from 0 per registry. Used by <c>lode ssh</c> and by tests.
/// </summary>
public sealed class SidechannelRegistry
{
    private readonly ConcurrentDictionary<long, SidechannelWaiter> waiters = new();
    private long nextId = -1;

    /// <summary>Registers <paramref name="callback"/>, run on its own task once the server opens the sidechannel.</summary>
    public SidechannelWaiter Register(Func<SidechannelClientStream, CancellationToken, Task> callback, CancellationToken cancellationToken)
    {
        var waiter = new SidechannelWaiter(this, Interlocked.Increment(ref nextId), callback, cancellationToken);
        waiters[waiter.Id] = waiter;
        return waiter;
    }

    /// <summary>Number of waiters still expecting their stream.</summary>
    public int Pending => waiters.Count;

    /// <summary>Hands a server-opened stream to its waiter; a stream nobody waits for is closed (the server's handshake then fails).</summary>
    internal void Deliver(long id, YamuxStream stream)
    {
        if (waiters.TryRemove(id, out var waiter))
        {
            waiter.Arrive(stream);
        }
        else
        {
            stream.Dispose();
        }
    }

    internal bool Remove(SidechannelWaiter waiter) => waiters.TryRemove(new KeyValuePair<long, SidechannelWaiter>(waiter.Id, waiter));
}
