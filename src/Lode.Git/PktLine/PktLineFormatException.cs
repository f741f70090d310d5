using Lode.Core.Errors;

namespace Lode.Git.PktLine;

/// <summary>
/// The peer sent bytes that are not a pkt-line. The client sent them, so the code is InvalidArgument; the bad
/// header goes in the metadata.
/// </summary>
public sealed class PktLineFormatException : LodeException
{
    public PktLineFormatException(string message, string header)
        : base(ErrorCode.InvalidArgument, message)
    {
        With("pktline_header", header);
    }
}
