using Grpc.Core;

namespace Lode.Hooks.Calls;

/// <summary>A call that ended with a status other than OK, or a connection that broke before the call ended.</summary>
internal sealed class GrpcCallException(StatusCode code, string detail)
    : Exception($"rpc error: code = {code} desc = {detail}")
{
    public StatusCode Code { get; } = code;

    public string Detail { get; } = detail;
}
