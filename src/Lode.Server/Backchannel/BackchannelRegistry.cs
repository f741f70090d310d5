using System.Collections.Concurrent;
using Lode.Yamux;

namespace Lode.Server.Backchannel;

/// <summary>
/// Every multiplexed connection the server has, by backchannel id (spec §7.1). Hooks and cluster code name a
/// connection by this id (<c>transaction.backchannel_id</c> in the hooks payload).
/// </summary>
public sealed class BackchannelRegistry
{
    private readonly ConcurrentDictionary<ulong, BackchannelPeer> peers = new();
    private long lastId;

    public int Count => peers.Count;

    /// <summary>The connections open now.</summary>
    public IReadOnlyCollection<BackchannelPeer> Peers => [.. peers.Values];

    public BackchannelPeer Register(YamuxSession session)
    {
        var peer = new BackchannelPeer((ulong)Interlocked.Increment(ref lastId), session);
        peers[peer.Id] = peer;
        return peer;
    }

    public void Remove(BackchannelPeer peer) => peers.TryRemove(peer.Id, out _);

    public BackchannelPeer? Find(ulong id) => peers.TryGetValue(id, out var peer) ? peer : null;
}
