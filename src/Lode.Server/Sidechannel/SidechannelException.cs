namespace Lode.Server.Sidechannel;

/// <summary>
/// Opening or using a sidechannel failed. Not a status of its own: each RPC wraps it the way Gitaly does (INTERNAL
/// "open sidechannel: …" for smart HTTP, ABORTED for SSH).
/// </summary>
public sealed class SidechannelException : IOException
{
    public SidechannelException(string message)
        : base(message)
    {
    }

    public SidechannelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
