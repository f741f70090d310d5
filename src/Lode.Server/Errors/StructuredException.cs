using Google.Protobuf;
using Lode.Core.Errors;

namespace Lode.Server.Errors;

/// <summary>
/// An error that carries a Gitaly error message (e.g. <c>ReferenceNotFoundError</c>, or a per-RPC wrapper such as
/// <c>UpdateReferencesError</c>) as the first detail of <c>grpc-status-details-bin</c>, which is where Rails
/// looks for it.
/// </summary>
public sealed class StructuredException : LodeException
{
    public StructuredException(ErrorCode code, string message, IMessage detail, Exception? innerException = null)
        : base(code, message, innerException)
    {
        Detail = detail;
    }

    public IMessage Detail { get; }
}
