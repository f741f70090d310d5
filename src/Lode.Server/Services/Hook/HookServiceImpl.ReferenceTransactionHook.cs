using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Server.Hooks;

namespace Lode.Server.Services.Hook;

internal sealed partial class HookServiceImpl
{
    /// <summary>
    /// git's reference-transaction hook: the state comes first, the ref updates as stdin. Success is exit status 0; an
    /// aborted transaction is ABORTED, a stopped one FAILED_PRECONDITION, anything else INTERNAL (git then fails the
    /// ref update).
    /// </summary>
    public override async Task ReferenceTransactionHook(IAsyncStreamReader<ReferenceTransactionHookRequest> requestStream,
        IServerStreamWriter<ReferenceTransactionHookResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var first = await ReadFirstAsync(requestStream, cancellationToken);
        resolver.Resolve(first.Repository);
        if (!Enum.IsDefined(first.State))
        {
            throw LodeException.InvalidArgument("invalid hook state");
        }

        var stdin = await ReadStdinAsync(requestStream, r => r.Stdin, cancellationToken);
        try
        {
            await hooks.ReferenceTransactionAsync(first.State, first.EnvironmentVariables, stdin, cancellationToken);
        }
        catch (TransactionAbortedException e)
        {
            throw new LodeException(ErrorCode.Aborted, "reference-transaction hook: error voting on transaction: " + e.Message);
        }
        catch (TransactionStoppedException e)
        {
            throw LodeException.FailedPrecondition("reference-transaction hook: error voting on transaction: " + e.Message);
        }
        catch (Exception e) when (e is HookDeclinedException)
        {
            throw LodeException.Internal("reference-transaction hook: " + e.Message);
        }
        catch (LodeException e)
        {
            throw LodeException.Wrap("reference-transaction hook: error voting on transaction", e);
        }

        await responseStream.WriteAsync(new ReferenceTransactionHookResponse { ExitStatus = new ExitStatus { Value = 0 } }, cancellationToken);
    }
}
