using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Server.Hooks;

namespace Lode.Server.Services.Hook;

internal sealed partial class HookServiceImpl
{
    /// <summary>
    /// git's post-receive: GitLab's post-push messages and custom hook output go to the pusher; the last message carries
    /// the exit status (git ignores it: the refs are already updated).
    /// </summary>
    public override async Task PostReceiveHook(IAsyncStreamReader<PostReceiveHookRequest> requestStream,
        IServerStreamWriter<PostReceiveHookResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var first = await ReadFirstAsync(requestStream, cancellationToken);
        resolver.Resolve(first.Repository);
        var stdin = await ReadStdinAsync(requestStream, r => r.Stdin, cancellationToken);

        using var gate = new SemaphoreSlim(1, 1);
        var output = HookOutput.ForStream(responseStream, b => new PostReceiveHookResponse { Stdout = b },
            b => new PostReceiveHookResponse { Stderr = b }, gate, cancellationToken);
        var (exitCode, stderr) = (0, "");
        try
        {
            await hooks.PostReceiveAsync(first.Repository, first.GitPushOptions, first.EnvironmentVariables, stdin, output, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (exitCode, stderr) = Verdict(e, "post-receive");
        }

        await responseStream.WriteAsync(new PostReceiveHookResponse
        {
            ExitStatus = new ExitStatus { Value = exitCode },
            Stderr = ByteString.CopyFromUtf8(stderr),
        }, cancellationToken);
    }
}
