using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Lode.Server.FrontDoor;

/// <summary>
/// A minimal call context for front-door requests, so that code shared with the RPCs (hook setup) sees the same
/// shape: no metadata, the HTTP request's cancellation, the client's address as peer.
/// </summary>
internal sealed class FrontDoorCallContext(HttpContext http, string method) : ServerCallContext
{
    private readonly Metadata requestHeaders = [];
    private readonly Metadata responseTrailers = [];

    protected override string MethodCore => method;

    protected override string HostCore => http.Request.Host.Value ?? "";

    protected override string PeerCore => http.Connection.RemoteIpAddress is { } ip ? "ipv4:" + ip + ":" + http.Connection.RemotePort : "unix:";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => requestHeaders;

    protected override CancellationToken CancellationTokenCore => http.RequestAborted;

    protected override Metadata ResponseTrailersCore => responseTrailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("front-door requests do not propagate");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
