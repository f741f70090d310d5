using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Lode.Server.Backchannel;

/// <summary>
/// Says "h2 was negotiated" for a TLS connection whose client offered no ALPN. Gitaly's clients put the backchannel
/// magic inside TLS and may skip ALPN (grpc-go servers do not insist); Kestrel refuses HTTP/2 on TLS without h2, so
/// the gRPC listeners vouch for it: they speak nothing but HTTP/2.
/// </summary>
internal sealed class AlpnH2Feature : ITlsApplicationProtocolFeature
{
    public static readonly AlpnH2Feature Instance = new();

    public ReadOnlyMemory<byte> ApplicationProtocol { get; } = "h2"u8.ToArray();
}
