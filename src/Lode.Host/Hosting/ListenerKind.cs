namespace Lode.Host.Hosting;

/// <summary>What a Kestrel endpoint serves; set on each connection so requests can be routed by listener.</summary>
internal enum ListenerKind
{
    Grpc,
    Internal,
    Metrics,

    /// <summary>Lode's smart HTTP front door (<c>[lode.http] listen_addr</c>).</summary>
    Http,
}
