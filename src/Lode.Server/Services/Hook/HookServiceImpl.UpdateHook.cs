using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Server.Hooks;

namespace Lode.Server.Services.Hook;

internal sealed partial class HookServiceImpl
{
    /// <summary>
    /// git's update hook, once per ref: custom update hooks run with the ref and both ids as arguments. A custom hook's
    /// exit code is the answer; any other failure is INTERNAL, as in Gitaly.
    /// </summary>
    public override async Task UpdateHook(UpdateHookRequest request, IServerStreamWriter<UpdateHookResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        resolver.Resolve(request.Repository);

        using var gate = new SemaphoreSlim(1, 1);
        var output = HookOutput.ForStream(responseStream, b => new UpdateHookResponse { Stdout = b },
            b => new UpdateHookResponse { Stderr = b }, gate, cancellationToken);
        var exitCode = 0;
        try
        {
            await hooks.UpdateAsync(request.Repository, request.Ref.ToStringUtf8(), request.OldValue, request.NewValue,
                request.EnvironmentVariables, output, cancellationToken);
        }
        catch (CustomHookFailedException e) when (e.Failure.ExitCode is { } code)
        {
            exitCode = code;
        }
        catch (Exception e) when (e is HookDeclinedException or CustomHookFailedException)
        {
            throw LodeException.Internal(e.Message);
        }

        await responseStream.WriteAsync(new UpdateHookResponse { ExitStatus = new ExitStatus { Value = exitCode } }, cancellationToken);
    }
}
