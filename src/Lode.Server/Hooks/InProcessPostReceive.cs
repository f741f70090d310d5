using System.Buffers;
using System.Text;
using Gitaly;
using Lode.Git.PktLine;
using Lode.Server.GitTransport;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Hooks;

/// <summary>
/// post-receive done by the server itself after a stateless push, when all it would do is call GitLab
/// (<see cref="HookSetup.PostReceiveOnlyCallsGitlab"/>): the same <see cref="HookManager.PostReceiveAsync"/> the
/// PostReceiveHook RPC runs, with the same changes and push options, its output sent as sideband messages where git
/// would have put the hook's output (after the report-status, before the final flush). It saves the push a hooks
/// process start and a call back to the server, a few milliseconds each.
/// </summary>
public sealed partial class InProcessPostReceive(HookManager hooks, ILogger<InProcessPostReceive> logger)
{
    /// <summary>
    /// Runs post-receive for <paramref name="changes"/> (<c>old new ref</c> lines of the refs git reported updated)
    /// and writes what the hook would have printed to <paramref name="output"/> as band-2 packets.
    /// </summary>
    public async Task RunAsync(Repository repository, HooksPayload payload, IReadOnlyList<string> pushOptions, string changes,
        ByteSink output, CancellationToken cancellationToken)
    {
        // stdout and stderr share one buffer, in the order they were written, as git merges a hook's two streams.
        var printed = new MemoryStream();
        var environment = new[] { HooksPayload.EnvironmentVariable + "=" + payload.ToEnvironmentValue() };
        try
        {
            await hooks.PostReceiveAsync(repository, pushOptions, environment, Encoding.UTF8.GetBytes(changes),
                HookOutput.Buffered(printed, printed), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var (_, stderr, unexpected) = HookVerdict.Of(e);
            if (unexpected)
            {
                LogFailed(logger, e.Message);
            }

            printed.Write(Encoding.UTF8.GetBytes(stderr));
        }

        if (printed.Length == 0)
        {
            return;
        }

        var packets = new ArrayBufferWriter<byte>();
        var data = printed.GetBuffer().AsMemory(0, (int)printed.Length);
        for (var offset = 0; offset < data.Length; offset += PktLine.MaxSidebandDataLength)
        {
            PktLine.WriteSideband(packets, 2, data.Span.Slice(offset, Math.Min(PktLine.MaxSidebandDataLength, data.Length - offset)));
        }

        await output(packets.WrittenMemory, cancellationToken);
    }

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "post-receive failed: {error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
