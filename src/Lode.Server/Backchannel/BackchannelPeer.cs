using Grpc.Core;
using Lode.Yamux;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Lode.Server.Backchannel;

/// <summary>
/// One multiplexed client connection (spec §7.1): its backchannel id and the yamux session, on which the server
/// opens streams to the client (sidechannels). Handlers find the caller's peer with <see cref="Find(ServerCallContext)"/>.
/// </summary>
public sealed class BackchannelPeer(ulong id, YamuxSession session)
{
    /// <summary>The connection item under which the middleware stores the peer.</summary>
    internal const string ItemKey = "lode.backchannel";

    /// <summary>Monotonically increasing per server, from 1.</summary>
    public ulong Id { get; } = id;

    public YamuxSession Session { get; } = session;

    /// <summary>The peer of the connection a call came in on; null when the client did not multiplex.</summary>
    public static BackchannelPeer? Find(ServerCallContext context)
    {
        HttpContext http;
        try
        {
            http = context.GetHttpContext();
        }
        catch (InvalidOperationException)
        {
            // Not an ASP.NET Core call (e.g. the smart HTTP front door driving the transport code directly).
            return null;
        }

        return Find(http);
    }

    public static BackchannelPeer? Find(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(ItemKey, out var value)
            ? value as BackchannelPeer
            : null;
}
