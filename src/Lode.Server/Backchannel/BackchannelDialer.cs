using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using Lode.Server.Sidechannel;
using Lode.Yamux;

namespace Lode.Server.Backchannel;

/// <summary>
/// The client half of a multiplexed connection (spec §7.1), as workhorse and gitlab-shell dial Gitaly: connect (TLS
/// first for <c>tls://</c>), write <c>backchannel</c>, run a yamux client session, and carry HTTP/2 on the first
/// stream the client opens. Streams the server opens are sidechannels and go to the <see cref="SidechannelRegistry"/>.
/// Plug <see cref="ConnectAsync"/> into <c>SocketsHttpHandler.ConnectCallback</c> with an <c>http://</c> address.
/// </summary>
public sealed class BackchannelDialer(GitalyAddress address, SidechannelRegistry registry, SslClientAuthenticationOptions? tls = null)
{
    /// <summary>Opens a new connection and returns the stream HTTP/2 runs on; disposing it ends the session.</summary>
    public async ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var transport = await ConnectTransportAsync(address, tls, cancellationToken);
        YamuxSession? session = null;
        try
        {
            await transport.WriteAsync(BackchannelProtocol.Magic.ToArray(), cancellationToken);
            await transport.FlushAsync(cancellationToken);
            session = YamuxSession.Client(transport, YamuxOptions.GitalyClient with { StreamCloseTimeout = TimeSpan.FromSeconds(1) });
            var grpcStream = await session.OpenStreamAsync(cancellationToken);
            var stop = new CancellationTokenSource();
            _ = AcceptLoopAsync(session, stop.Token);
            return new SessionStream(grpcStream, session, stop);
        }
        catch
        {
            if (session is not null)
            {
                await session.CloseAsync();
            }
            else
            {
                await transport.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>A plain connection to <paramref name="address"/> (TLS when it says so), no multiplexing.</summary>
    public static async ValueTask<Stream> ConnectTransportAsync(GitalyAddress address, SslClientAuthenticationOptions? tls, CancellationToken cancellationToken)
    {
        Socket socket;
        if (address.SocketPath is { } path)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address.Host!, address.Port, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (address.Tls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            var options = tls ?? new SslClientAuthenticationOptions();
            options.TargetHost ??= address.Host;
            options.ApplicationProtocols ??= [SslApplicationProtocol.Http2];
            try
            {
                await ssl.AuthenticateAsClientAsync(options, cancellationToken);
            }
            catch
            {
                await ssl.DisposeAsync();
                throw;
            }

            stream = ssl;
        }

        return stream;
    }

    private async Task AcceptLoopAsync(YamuxSession session, CancellationToken stop)
    {
        try
        {
            while (await session.AcceptStreamAsync(stop) is { } stream)
            {
                _ = DispatchAsync(stream);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection was closed by its owner.
        }
    }

    /// <summary>Reads what a server-opened stream is: a sidechannel goes to its waiter; anything else is closed.</summary>
    private async Task DispatchAsync(YamuxStream stream)
    {
        var hello = new byte[SidechannelProtocol.MagicLength + sizeof(long)];
        try
        {
            using var timeout = new CancellationTokenSource(BackchannelProtocol.HandshakeTimeout);
            await stream.ReadExactlyAsync(hello, timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or YamuxException)
        {
            stream.Dispose();
            return;
        }

        if (!hello.AsSpan(0, SidechannelProtocol.MagicLength).SequenceEqual(SidechannelProtocol.Magic))
        {
            // The server dialling a gRPC client back (Praefect's transactions) is not supported by this client.
            stream.Dispose();
            return;
        }

        registry.Deliver(BinaryPrimitives.ReadInt64BigEndian(hello.AsSpan(SidechannelProtocol.MagicLength)), stream);
    }

    /// <summary>The HTTP/2 stream of a session; disposing it closes the whole session.</summary>
    private sealed class SessionStream(YamuxStream inner, YamuxSession session, CancellationTokenSource stop) : Stream
    {
        private int disposed;

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                await stop.CancelAsync();
                await inner.DisposeAsync();
                await session.CloseAsync();
                stop.Dispose();
            }

            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref disposed, 1) == 0)
            {
                stop.Cancel();
                inner.Dispose();
                session.Dispose();
                stop.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
