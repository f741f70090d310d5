using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Server.Hooks;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Services.Hook;

internal sealed partial class HookServiceImpl
{
    /// <summary>
    /// Reads the rest of a hook's stdin from the request stream (chunks after the first message). Bounded by what git
    /// writes to a hook: one line per updated ref.
    /// </summary>
    private static async Task<byte[]> ReadStdinAsync<T>(IAsyncStreamReader<T> requests, Func<T, ByteString> stdin, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        while (await requests.MoveNext(cancellationToken))
        {
            stdin(requests.Current).WriteTo(buffer);
        }

        return buffer.ToArray();
    }

    /// <summary>The first message of a client stream; Gitaly answers INTERNAL when there is none.</summary>
    private static async Task<T> ReadFirstAsync<T>(IAsyncStreamReader<T> requests, CancellationToken cancellationToken)
    {
        if (!await requests.MoveNext(cancellationToken))
        {
            throw LodeException.Internal("receiving first request: EOF");
        }

        return requests.Current;
    }

    /// <summary>
    /// How pre-receive and post-receive end (Gitaly): the RPC succeeds and carries the hook's verdict, a custom hook's
    /// exit code (its output already went out), or exit 1 with the reason on stderr.
    /// </summary>
    private (int ExitCode, string Stderr) Verdict(Exception exception, string hook)
    {
        var (exitCode, stderr, unexpected) = HookVerdict.Of(exception);
        if (unexpected)
        {
            LogHookError(logger, hook, exception.Message);
        }

        return (exitCode, stderr);
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "{hook} hook failed: {error}")]
    private static partial void LogHookError(ILogger logger, string hook, string error);
}
