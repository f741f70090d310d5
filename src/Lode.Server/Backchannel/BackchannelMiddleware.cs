using System.Buffers;
using System.IO.Pipelines;
using Lode.Yamux;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Backchannel;

/// <summary>
/// Kestrel connection middleware for the gRPC listeners (spec §7.1). It peeks at the first 11 bytes of each
/// connection (after TLS). Plain HTTP/2 clients get those bytes back untouched and go on to Kestrel's HTTP/2 code.
/// A client that sent <c>backchannel</c> gets a yamux server session on the connection: the first stream it opens is
/// handed to Kestrel as this connection's transport, so its HTTP/2 (gRPC) runs exactly as on a plain connection,
/// and the session is registered so that handlers can open sidechannels to the client on it.
/// </summary>
internal sealed partial class BackchannelMiddleware(ConnectionDelegate next, BackchannelRegistry registry, ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        ReadResult result;
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            handshake.CancelAfter(BackchannelProtocol.HandshakeTimeout);
            try
            {
                while (true)
                {
                    result = await input.ReadAsync(handshake.Token);
                    if (result.Buffer.Length >= BackchannelProtocol.MagicLength || result.IsCompleted || result.IsCanceled)
                    {
                        break;
                    }

                    input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                }
            }
            catch (OperationCanceledException)
            {
                // Silent for the whole handshake timeout, or gone: nothing to serve.
                connection.Abort();
                return;
            }
        }

        VouchForHttp2(connection);
        var buffer = result.Buffer;
        if (buffer.Length < BackchannelProtocol.MagicLength || !IsMagic(buffer.Slice(0, BackchannelProtocol.MagicLength)))
        {
            // Not ours: leave every byte unread, so HTTP/2 sees the connection from its first byte.
            input.AdvanceTo(buffer.Start);
            await next(connection);
            return;
        }

        input.AdvanceTo(buffer.GetPosition(BackchannelProtocol.MagicLength));
        await ServeMultiplexedAsync(connection);
    }

    private async Task ServeMultiplexedAsync(ConnectionContext connection)
    {
        var original = connection.Transport;
        var session = YamuxSession.Server(new DuplexPipeStream(original.Input, original.Output), YamuxOptions.GitalyServer);
        var peer = registry.Register(session);
        LogSessionStarted(logger, peer.Id, connection.RemoteEndPoint);
        try
        {
            YamuxStream? grpcStream;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
            {
                handshake.CancelAfter(BackchannelProtocol.HandshakeTimeout);
                try
                {
                    grpcStream = await session.AcceptStreamAsync(handshake.Token);
                }
                catch (OperationCanceledException)
                {
                    grpcStream = null;
                }
            }

            if (grpcStream is null)
            {
                return;
            }

            await using (grpcStream)
            {
                var pipe = new StreamDuplexPipe(grpcStream);
                connection.Items[BackchannelPeer.ItemKey] = peer;
                connection.Transport = pipe;
                try
                {
                    await next(connection);
                }
                finally
                {
                    connection.Transport = original;
                    connection.Items.Remove(BackchannelPeer.ItemKey);
                    await pipe.CompleteAsync();
                }
            }
        }
        finally
        {
            registry.Remove(peer);
            await session.CloseAsync();
            LogSessionEnded(logger, peer.Id);
        }
    }

    /// <summary>See <see cref="AlpnH2Feature"/>: a TLS client that offered no ALPN still gets HTTP/2.</summary>
    private static void VouchForHttp2(ConnectionContext connection)
    {
        if (connection.Features.Get<ITlsConnectionFeature>() is not null &&
            (connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.IsEmpty ?? true))
        {
            connection.Features.Set<ITlsApplicationProtocolFeature>(AlpnH2Feature.Instance);
        }
    }

    private static bool IsMagic(ReadOnlySequence<byte> first)
    {
        Span<byte> bytes = stackalloc byte[BackchannelProtocol.MagicLength];
        first.CopyTo(bytes);
        return bytes.SequenceEqual(BackchannelProtocol.Magic);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "backchannel {backchannel_id} started from {remote_address}")]
    private static partial void LogSessionStarted(ILogger logger, ulong backchannel_id, System.Net.EndPoint? remote_address);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "backchannel {backchannel_id} ended")]
    private static partial void LogSessionEnded(ILogger logger, ulong backchannel_id);
}
