namespace Lode.Server.Backchannel;

/// <summary>
/// Wire constants of Gitaly's multiplexed connections (spec §7.1): a client that wants a backchannel starts its
/// connection (inside TLS, if any) with these 11 bytes, then runs a yamux client session over it.
/// </summary>
public static class BackchannelProtocol
{
    /// <summary>How long a new connection may take to send its first 11 bytes, and a session to open its first stream (grpc-go's connection timeout).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromMinutes(2);

    public static ReadOnlySpan<byte> Magic => "backchannel"u8;

    public const int MagicLength = 11;
}
