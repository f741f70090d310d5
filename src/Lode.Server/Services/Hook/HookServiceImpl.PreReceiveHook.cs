using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Server.Hooks;

namespace Lode.Server.Services.Hook;

internal sealed partial class HookServiceImpl
{
    /// <summary>
    /// git's pre-receive: the first message names the repository, the hook's environment and push options; stdin (the
    /// ref updates) follows. Custom hook output is relayed as it comes; the last message carries the exit status.
    /// </summary>
    public override async Task PreReceiveHook(IAsyncStreamReader<PreReceiveHookRequest> requestStream,
        IServerStreamWriter<PreReceiveHookResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var first = await ReadFirstAsync(requestStream, cancellationToken);
        resolver.Resolve(first.Repository);
        var stdin = await ReadStdinAsync(requestStream, r => r.Stdin, cancellationToken);

        using var gate = new SemaphoreSlim(1, 1);
        var output = HookOutput.ForStream(responseStream, b => new PreReceiveHookResponse { Stdout = b },
            b => new PreReceiveHookResponse { Stderr = b }, gate, cancellationToken);
        var (exitCode, stderr) = (0, "");
        try
        {
            await hooks.PreReceiveAsync(first.Repository, first.GitPushOptions, first.EnvironmentVariables, stdin, output, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (exitCode, stderr) = Verdict(e, "pre-receive");
        }

        await responseStream.WriteAsync(new PreReceiveHookResponse
        {
            ExitStatus = new ExitStatus { Value = exitCode },
            Stderr = ByteString.CopyFromUtf8(stderr),
        }, cancellationToken);
    }
}
