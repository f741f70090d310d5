using System.Net.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Lode.Server.Backchannel;
using Lode.Server.Sidechannel;

namespace Lode.TestKit;

/// <summary>
/// A gRPC client that talks to the server the way workhorse and gitlab-shell do (spec §7): over a multiplexed
/// (backchannel) connection, with a sidechannel registry for the calls that open one. Uses Lode's own client side
/// of yamux and the sidechannel handshake.
/// </summary>
public sealed class BackchannelClient : IDisposable
{
    private BackchannelClient(GrpcChannel channel, CallInvoker invoker, SidechannelRegistry registry)
    {
        Channel = channel;
        Invoker = invoker;
        Sidechannels = registry;
    }

    public GrpcChannel Channel { get; }

    public CallInvoker Invoker { get; }

    public SidechannelRegistry Sidechannels { get; }

    public Gitaly.SmartHTTPService.SmartHTTPServiceClient SmartHttp => new(Invoker);

    public Gitaly.SSHService.SSHServiceClient Ssh => new(Invoker);

    public Gitaly.ServerService.ServerServiceClient Server => new(Invoker);

    /// <summary>
    /// Connects to <paramref name="address"/> (<c>tcp://</c>, <c>tls://</c>, <c>unix:</c>). <paramref name="multiplexed"/>
    /// false gives a plain HTTP/2 connection with the same TLS handling, for comparison.
    /// </summary>
    public static BackchannelClient Connect(string address, string? token = null, bool multiplexed = true, SslClientAuthenticationOptions? tls = null)
    {
        var parsed = GitalyAddress.Parse(address);
        var registry = new SidechannelRegistry();
        var dialer = new BackchannelDialer(parsed, registry, tls);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = multiplexed
                ? async (_, ct) => await dialer.ConnectAsync(ct)
                : async (_, ct) => await BackchannelDialer.ConnectTransportAsync(parsed, tls, ct),
        };
        var channel = GrpcChannel.ForAddress("http://" + parsed.Authority, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true, MaxReceiveMessageSize = null });
        var invoker = token is null ? channel.CreateCallInvoker() : channel.Intercept(new ServerFixture.TokenInterceptor(token));
        return new BackchannelClient(channel, invoker, registry);
    }

    /// <summary>
    /// Registers a sidechannel callback and returns the call options carrying its id. After the call, await
    /// <see cref="SidechannelWaiter.CloseAsync"/> on the waiter.
    /// </summary>
    public (SidechannelWaiter Waiter, CallOptions Options) Sidechannel(Func<SidechannelClientStream, CancellationToken, Task> callback,
        CancellationToken cancellationToken = default)
    {
        var waiter = Sidechannels.Register(callback, cancellationToken);
        var headers = new Metadata { { SidechannelProtocol.MetadataKey, waiter.MetadataValue } };
        return (waiter, new CallOptions(headers, cancellationToken: cancellationToken));
    }

    public void Dispose() => Channel.Dispose();
}
