namespace Lode.Server.Hooks;

/// <summary>
/// What the pack-objects hook and the server agree on (spec §7.5); shared as source with the hooks executable.
/// </summary>
public static class PackObjectsSidechannelProtocol
{
    /// <summary>gRPC metadata holding the path of the hook's socket.</summary>
    public const string MetadataKey = "gitaly-sidechannel-socket";

    /// <summary>The only socket name the server dials, so that a request cannot make it connect to any socket it likes.</summary>
    public const string SocketName = "sidechannel";
}
