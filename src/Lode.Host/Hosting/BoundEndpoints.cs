using System.Net;

namespace Lode.Host.Hosting;

/// <summary>Where the server actually listens once started (ports chosen by the OS when configured as 0).</summary>
public sealed record BoundEndpoints(
    IPEndPoint? Tcp,
    IPEndPoint? Tls,
    string? UnixSocket,
    string InternalSocket,
    IPEndPoint? Metrics,
    IPEndPoint? Http = null);
