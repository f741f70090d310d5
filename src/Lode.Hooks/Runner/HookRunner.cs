using System.Collections;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Lode.Hooks.Calls;
using Lode.Server.Auth;
using Lode.Server.Hooks;

namespace Lode.Hooks;

/// <summary>
/// One run of a git hook (spec §8.3): reads <c>GITALY_HOOKS_PAYLOAD</c>, calls the matching HookService RPC on the
/// internal socket with the whole environment and stdin, relays stdout and stderr, and exits with the exit status
/// the server sends. A hook the payload did not request exits 0 at once; any RPC failure exits 1.
/// </summary>
internal static class HookRunner
{
    private const int StdinChunkBytes = 32 * 1024;

    public static int Run(string hook, IReadOnlyList<string> args)
    {
        using var stdin = Console.OpenStandardInput();
        using var stdout = Console.OpenStandardOutput();
        using var stderr = Console.OpenStandardError();
        try
        {
            return Run(hook, args, stdin, stdout, stderr);
        }
        catch (Exception e)
        {
            // A hook that crashes must still fail cleanly: git treats any non-zero exit as a refusal.
            return Fail(stderr, "error executing hook: " + e.Message);
        }
    }

    public static int Run(string hook, IReadOnlyList<string> args, Stream stdin, Stream stdout, Stream stderr)
    {
        var bit = hook switch
        {
            "pre-receive" => RequestedHooks.PreReceive,
            "update" => RequestedHooks.Update,
            "post-receive" => RequestedHooks.PostReceive,
            "reference-transaction" => RequestedHooks.ReferenceTransaction,
            "git" => RequestedHooks.PackObjects,
            _ => (RequestedHooks?)null,
        };

        if (bit is null)
        {
            return Fail(stderr, $"subcommand name invalid: \"{hook}\"");
        }

        // git 2.46 and newer run reference-transaction in a "preparing" state before taking the locks; there is nothing
        // to vote on yet (the votes are on prepared and committed), so that run has no call to make.
        if (bit == RequestedHooks.ReferenceTransaction && args is ["preparing"])
        {
            return 0;
        }

        HooksPayload payload;
        Repository repository;
        try
        {
            var value = Environment.GetEnvironmentVariable(HooksPayload.EnvironmentVariable)
                ?? throw new InvalidOperationException("no hooks payload found in environment");
            payload = HooksPayload.FromEnvironmentValue(value);
            repository = RepositoryJson.Parse(payload.Repository);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            return Fail(stderr, "error when getting hooks payload: " + e.Message);
        }

        if (payload.RequestedHooks != (int)RequestedHooks.All && (payload.RequestedHooks & (int)bit.Value) == 0)
        {
            // git still needs its pack when the server did not ask for the hook: pack-objects then runs here.
            return bit == RequestedHooks.PackObjects ? RunGit(args) : 0;
        }

        try
        {
            var metadata = Metadata(payload);
            var environment = EnvironmentList();
            return hook switch
            {
                "pre-receive" => PreReceive(payload.InternalSocket, metadata, repository, environment, stdin, stdout, stderr),
                "post-receive" => PostReceive(payload.InternalSocket, metadata, repository, environment, stdin, stdout, stderr),
                "update" => Update(payload.InternalSocket, metadata, repository, environment, args, stdout, stderr),
                "git" => PackObjectsHook.Run(payload.InternalSocket, metadata, repository, payload, args, stdin, stdout, stderr),
                _ => ReferenceTransaction(payload.InternalSocket, metadata, repository, environment, args, stdin, stdout, stderr),
            };
        }
        catch (HookUsageException e)
        {
            return Fail(stderr, e.Message);
        }
        catch (Exception e) when (e is GrpcCallException or IOException or System.Net.Sockets.SocketException or InvalidDataException or TimeoutException or InvalidOperationException)
        {
            return Fail(stderr, $"error when running {hook} hook: " + e.Message);
        }
    }

    private static int PreReceive(string socket, List<KeyValuePair<string, string>> metadata, Repository repository,
        List<string> environment, Stream stdin, Stream stdout, Stream stderr)
    {
        var first = new PreReceiveHookRequest { Repository = repository };
        first.EnvironmentVariables.Add(environment);
        first.GitPushOptions.Add(PushOptions());
        return Bidi(socket, HookMethods.PreReceiveHook, metadata, first, chunk => new PreReceiveHookRequest { Stdin = chunk }, stdin,
            PreReceiveHookResponse.Parser, r => (r.Stdout, r.Stderr, r.ExitStatus), stdout, stderr);
    }

    private static int PostReceive(string socket, List<KeyValuePair<string, string>> metadata, Repository repository,
        List<string> environment, Stream stdin, Stream stdout, Stream stderr)
    {
        var first = new PostReceiveHookRequest { Repository = repository };
        first.EnvironmentVariables.Add(environment);
        first.GitPushOptions.Add(PushOptions());
        return Bidi(socket, HookMethods.PostReceiveHook, metadata, first, chunk => new PostReceiveHookRequest { Stdin = chunk }, stdin,
            PostReceiveHookResponse.Parser, r => (r.Stdout, r.Stderr, r.ExitStatus), stdout, stderr);
    }

    private static int Update(string socket, List<KeyValuePair<string, string>> metadata, Repository repository,
        List<string> environment, IReadOnlyList<string> args, Stream stdout, Stream stderr)
    {
        if (args.Count != 3)
        {
            throw new HookUsageException($"update hook expects exactly three arguments, got [{string.Join(' ', args)}]");
        }

        var request = new UpdateHookRequest
        {
            Repository = repository,
            Ref = ByteString.CopyFromUtf8(args[0]),
            OldValue = args[1],
            NewValue = args[2],
        };
        request.EnvironmentVariables.Add(environment);
        using var call = UnixGrpcCall.Start(socket, HookMethods.UpdateHook, metadata, [request], complete: true);
        return Relay(call, UpdateHookResponse.Parser, r => (r.Stdout, r.Stderr, r.ExitStatus), stdout, stderr);
    }

    private static int ReferenceTransaction(string socket, List<KeyValuePair<string, string>> metadata, Repository repository,
        List<string> environment, IReadOnlyList<string> args, Stream stdin, Stream stdout, Stream stderr)
    {
        if (args.Count != 1)
        {
            throw new HookUsageException($"reference-transaction hook is missing required arguments, got [{string.Join(' ', args)}]");
        }

        var state = args[0] switch
        {
            "prepared" => ReferenceTransactionHookRequest.Types.State.Prepared,
            "committed" => ReferenceTransactionHookRequest.Types.State.Committed,
            "aborted" => ReferenceTransactionHookRequest.Types.State.Aborted,
            _ => throw new HookUsageException($"reference-transaction hook has invalid state: \"{args[0]}\""),
        };

        var first = new ReferenceTransactionHookRequest { Repository = repository, State = state };
        first.EnvironmentVariables.Add(environment);
        return Bidi(socket, HookMethods.ReferenceTransactionHook, metadata, first, chunk => new ReferenceTransactionHookRequest { Stdin = chunk }, stdin,
            ReferenceTransactionHookResponse.Parser, r => (r.Stdout, r.Stderr, r.ExitStatus), stdout, stderr);
    }

    /// <summary>
    /// A hook call that streams git's stdin after the first request, relaying the responses meanwhile; returns the exit
    /// status the server sends. git's stdin for these hooks is a line per updated ref: when it ends within the first
    /// chunk, the whole call goes out in one write; otherwise the rest is sent from a thread of its own.
    /// </summary>
    private static int Bidi<TResponse>(string socket, string method, List<KeyValuePair<string, string>> metadata, IMessage first,
        Func<ByteString, IMessage> stdinMessage, Stream stdin, MessageParser<TResponse> parser,
        Func<TResponse, (ByteString Stdout, ByteString Stderr, ExitStatus? Exit)> parts, Stream stdout, Stream stderr)
        where TResponse : class, IMessage<TResponse>
    {
        var buffer = new byte[StdinChunkBytes];
        var read = stdin.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var ended = read < buffer.Length;
        List<IMessage> requests = read > 0 ? [first, stdinMessage(ByteString.CopyFrom(buffer, 0, read))] : [first];
        using var call = UnixGrpcCall.Start(socket, method, metadata, requests, complete: ended);
        Thread? sender = null;
        if (!ended)
        {
            sender = new Thread(() => SendStdin(stdin, call, stdinMessage)) { IsBackground = true, Name = "stdin" };
            sender.Start();
        }

        var exitCode = Relay(call, parser, parts, stdout, stderr);
        sender?.Join();
        return exitCode;
    }

    /// <summary>Runs <c>git &lt;args&gt;</c> with this process's stdin, stdout and stderr, and returns its exit code.</summary>
    private static int RunGit(IReadOnlyList<string> args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        git.WaitForExit();
        return git.ExitCode;
    }

    /// <summary>Sends stdin in chunks, then half-closes. Errors surface through the response stream, which is read meanwhile.</summary>
    private static void SendStdin(Stream stdin, UnixGrpcCall call, Func<ByteString, IMessage> message)
    {
        try
        {
            var buffer = new byte[StdinChunkBytes];
            int read;
            while ((read = stdin.Read(buffer)) > 0)
            {
                call.Write(message(ByteString.CopyFrom(buffer, 0, read)));
            }

            call.Complete();
        }
        catch (Exception e) when (e is GrpcCallException or IOException or ObjectDisposedException)
        {
            // The call ended before all of stdin was sent; its status says why.
        }
    }

    /// <summary>Writes every stdout and stderr chunk as it comes; returns the exit status of the last message that has one.</summary>
    private static int Relay<TResponse>(UnixGrpcCall call, MessageParser<TResponse> parser,
        Func<TResponse, (ByteString Stdout, ByteString Stderr, ExitStatus? Exit)> parts, Stream stdout, Stream stderr)
        where TResponse : class, IMessage<TResponse>
    {
        var exitCode = 0;
        while (call.Read(parser) is { } response)
        {
            var (outData, errData, exit) = parts(response);
            if (!outData.IsEmpty)
            {
                stdout.Write(outData.Span);
                stdout.Flush();
            }

            if (!errData.IsEmpty)
            {
                stderr.Write(errData.Span);
                stderr.Flush();
            }

            if (exit is not null)
            {
                exitCode = exit.Value;
            }
        }

        return exitCode;
    }

    /// <summary>What every call carries: the token, who pushes, the request's feature flags, and the client name.</summary>
    private static List<KeyValuePair<string, string>> Metadata(HooksPayload payload)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (payload.InternalSocketToken.Length > 0)
        {
            headers.Add(new("authorization", TokenValidator.CreateHeader(payload.InternalSocketToken, DateTimeOffset.UtcNow,
                static (key, message) => Sha256Hmac.Compute(key, message))));
        }

        if (payload.UserDetails is { } user)
        {
            headers.Add(new("user_id", user.UserId));
            headers.Add(new("username", user.Username));
            headers.Add(new("remote_ip", user.RemoteIp));
        }

        foreach (var flag in payload.FeatureFlagsWithValue ?? [])
        {
            headers.Add(new("gitaly-feature-" + flag.Flag.Name.Replace('_', '-'), flag.Enabled ? "true" : "false"));
        }

        headers.Add(new("client_name", "gitaly-hooks"));
        if (Environment.GetEnvironmentVariable("CORRELATION_ID") is { Length: > 0 } correlationId)
        {
            headers.Add(new("x-gitlab-correlation-id", correlationId));
        }

        return headers;
    }

    /// <summary>The whole environment as <c>KEY=value</c> entries (HookService reads the payload and git's quarantine from it).</summary>
    private static List<string> EnvironmentList()
    {
        var list = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            list.Add((string)entry.Key + "=" + (string?)entry.Value);
        }

        return list;
    }

    /// <summary>git's push options: <c>GIT_PUSH_OPTION_COUNT</c> and <c>GIT_PUSH_OPTION_&lt;i&gt;</c>.</summary>
    private static List<string> PushOptions()
    {
        var options = new List<string>();
        if (!int.TryParse(Environment.GetEnvironmentVariable("GIT_PUSH_OPTION_COUNT"), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var count))
        {
            return options;
        }

        for (var i = 0; i < count; i++)
        {
            options.Add(Environment.GetEnvironmentVariable("GIT_PUSH_OPTION_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? "");
        }

        return options;
    }

    /// <summary>
    /// Reports a failure and returns exit code 1. Gitaly's hooks write to <c>$GITALY_LOG_DIR/gitaly_hooks.log</c>;
    /// without a log folder the message goes to stderr, where git shows it to the pusher.
    /// </summary>
    private static int Fail(Stream stderr, string message)
    {
        var line = "lode-hooks: " + message + "\n";
        if (Environment.GetEnvironmentVariable("GITALY_LOG_DIR") is { Length: > 0 } logDir)
        {
            try
            {
                File.AppendAllText(Path.Combine(logDir, "gitaly_hooks.log"), DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + " " + line);
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Fall through to stderr.
            }
        }

        stderr.Write(Encoding.UTF8.GetBytes(line));
        stderr.Flush();
        return 1;
    }
}
