using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lode.Core.Errors;

namespace Lode.Server.Errors;

/// <summary>
/// Converts what a handler threw into the status the client sees (spec §3.2). This is the only place an
/// <see cref="RpcException"/> is built from a domain error.
/// </summary>
internal static class ErrorMapper
{
    /// <summary>
    /// Maps a handler failure. Cancellation becomes CANCELED or DEADLINE_EXCEEDED; a Lode error keeps its innermost
    /// code and first structured detail; anything else is INTERNAL with its message only (never a stack trace).
    /// Handlers never answer UNAVAILABLE, which tells clients to retry.
    /// </summary>
    public static RpcException ToRpcException(Exception exception, ServerCallContext context)
    {
        if (exception is RpcException rpc)
        {
            return rpc.StatusCode switch
            {
                StatusCode.Unavailable => new RpcException(new Status(StatusCode.Internal, rpc.Status.Detail), rpc.Trailers),

                // The generated base classes throw this with no message; say which method, as grpc-go does.
                StatusCode.Unimplemented when string.IsNullOrEmpty(rpc.Status.Detail) =>
                    new RpcException(new Status(StatusCode.Unimplemented, $"method {MethodName(context.Method)} not implemented")),
                _ => rpc,
            };
        }

        if (context.CancellationToken.IsCancellationRequested && IsCancellation(exception))
        {
            return context.Deadline <= DateTime.UtcNow
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, "context deadline exceeded"))
                : new RpcException(new Status(StatusCode.Cancelled, "context canceled"));
        }

        if (exception is LodeException lode)
        {
            var code = lode.Code == ErrorCode.Unavailable ? StatusCode.Internal : (StatusCode)(int)lode.Code;
            var detail = FindDetail(lode);
            if (detail is null)
            {
                return new RpcException(new Status(code, lode.Message));
            }

            var status = new Google.Rpc.Status { Code = (int)code, Message = lode.Message };
            status.Details.Add(Any.Pack(detail));
            return status.ToRpcException();
        }

        return new RpcException(new Status(StatusCode.Internal, exception.Message));
    }

    private static string MethodName(string fullMethod) => fullMethod[(fullMethod.LastIndexOf('/') + 1)..];

    /// <summary>The detail of the innermost structured error: wrapping keeps the inner error's detail, as its code.</summary>
    private static Google.Protobuf.IMessage? FindDetail(LodeException exception)
    {
        Google.Protobuf.IMessage? detail = null;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is StructuredException s)
            {
                detail = s.Detail;
            }
        }

        return detail;
    }

    /// <summary>
    /// Once the call is cancelled, any failure that is not a deliberate status (a killed child, a broken pipe) is
    /// a consequence of the cancellation, so the client is told that rather than INTERNAL.
    /// </summary>
    private static bool IsCancellation(Exception exception) =>
        exception is not LodeException lode || lode.Code == ErrorCode.Internal;
}
