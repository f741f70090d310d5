namespace Lode.Server.Sidechannel;

/// <summary>
/// Wire constants of sidechannels (spec §7.2, §7.3): the server opens a yamux stream to the client, writes
/// <c>sidechannel</c> and the request's id as a big-endian int64, and reads <c>ok</c>.
/// </summary>
public static class SidechannelProtocol
{
    /// <summary>gRPC metadata naming the client's waiter; the last value wins.</summary>
    public const string MetadataKey = "gitaly-sidechannel-id";

    /// <summary>How long opening a sidechannel may take: it runs on the caller's own connection, so it is fast or broken.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public const int MagicLength = 11;

    /// <summary>Largest client→server frame payload: frame length (payload + 4) stays within git's 65520.</summary>
    public const int MaxFramePayload = 65520 - 4;

    public static ReadOnlySpan<byte> Magic => "sidechannel"u8;

    public static ReadOnlySpan<byte> Ok => "ok"u8;
}
