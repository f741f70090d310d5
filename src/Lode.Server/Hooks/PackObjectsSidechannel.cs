using System.Net.Sockets;
using Grpc.Core;
using Lode.Core.Errors;

namespace Lode.Server.Hooks;

/// <summary>
/// The pack-objects hook's data channel (spec §7.5): the hook listens on a Unix socket named <c>sidechannel</c> in a
/// folder of its own and names it in <c>gitaly-sidechannel-socket</c>; the server dials it, reads git's stdin until
/// the hook shuts down its sending side, and answers with side-band packets.
/// </summary>
public static class PackObjectsSidechannel
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Connects to the hook's socket; INVALID_ARGUMENT for a socket of another name, INTERNAL when it cannot be reached.</summary>
    public static async Task<Socket> DialAsync(ServerCallContext context, CancellationToken cancellationToken)
    {
        var path = context.RequestHeaders.GetValue(PackObjectsSidechannelProtocol.MetadataKey);
        if (string.IsNullOrEmpty(path))
        {
            throw LodeException.Internal("get side-channel: sidechannel: sidechannel socket address not found in incoming metadata");
        }

        if (Path.GetFileName(path) != PackObjectsSidechannelProtocol.SocketName)
        {
            throw LodeException.InvalidArgument($"sidechannel: invalid sidechannel socket address: \"{path}\"");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(DialTimeout);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), deadline.Token);
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw LodeException.Internal("get side-channel: sidechannel: dial: " + e.Message);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
