using System.Text;
using Gitaly;
using Google.Protobuf;
using Lode.Server.Hooks;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Hook;

/// <summary>
/// Calls HookService as the hooks executable does: a <c>GITALY_HOOKS_PAYLOAD</c> in the environment list, stdin in
/// chunks, and the relayed stdout/stderr plus exit status collected.
/// </summary>
internal static class HookCalls
{
    public static readonly HooksUserDetails DefaultUser = new() { UserId = "user-42", Username = "jane", Protocol = "ssh", RemoteIp = "10.1.2.3" };

    public static List<string> Environment(ServerFixture server, Gitaly.Repository repository, HooksUserDetails? user = null,
        string objectFormat = "sha1", params string[] extra)
    {
        var payload = new HooksPayload
        {
            RequestedHooks = (int)RequestedHooks.ReceivePack,
            Repository = JsonFormatter.Default.Format(repository),
            ObjectFormat = objectFormat,
            InternalSocket = server.Endpoints.InternalSocket,
            InternalSocketToken = server.Options.Auth.Token,
            UserDetails = user ?? DefaultUser,
        };

        return
        [
            HooksPayload.EnvironmentVariable + "=" + payload.ToEnvironmentValue(),
            "PATH=" + System.Environment.GetEnvironmentVariable("PATH"),
            "HOME=" + Path.GetTempPath(),
            "SECRET_OF_THE_HOOK_PROCESS=not for custom hooks",
            .. extra,
        ];
    }

    /// <summary>Writes an executable script (mode 0755) at <paramref name="path"/>, creating its folder.</summary>
    public static void WriteHook(string path, string script)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
    }

    public static async Task<HookResult> PreReceiveAsync(ServerFixture server, Gitaly.Repository repository, IReadOnlyList<string> environment,
        string changes, params string[] pushOptions)
    {
        using var call = server.Hook.PreReceiveHook();
        var first = new PreReceiveHookRequest { Repository = repository };
        first.EnvironmentVariables.Add(environment);
        first.GitPushOptions.Add(pushOptions);
        await call.RequestStream.WriteAsync(first);
        await SendChunksAsync(changes, chunk => call.RequestStream.WriteAsync(new PreReceiveHookRequest { Stdin = chunk }));
        await call.RequestStream.CompleteAsync();
        return await HookResult.CollectAsync(call.ResponseStream, r => (r.Stdout, r.Stderr, r.ExitStatus));
    }

    public static async Task<HookResult> PostReceiveAsync(ServerFixture server, Gitaly.Repository repository, IReadOnlyList<string> environment,
        string changes, params string[] pushOptions)
    {
        using var call = server.Hook.PostReceiveHook();
        var first = new PostReceiveHookRequest { Repository = repository };
        first.EnvironmentVariables.Add(environment);
        first.GitPushOptions.Add(pushOptions);
        await call.RequestStream.WriteAsync(first);
        await SendChunksAsync(changes, chunk => call.RequestStream.WriteAsync(new PostReceiveHookRequest { Stdin = chunk }));
        await call.RequestStream.CompleteAsync();
        return await HookResult.CollectAsync(call.ResponseStream, r => (r.Stdout, r.Stderr, r.ExitStatus));
    }

    public static async Task<HookResult> UpdateAsync(ServerFixture server, Gitaly.Repository repository, IReadOnlyList<string> environment,
        string reference, string oldValue, string newValue)
    {
        var request = new UpdateHookRequest { Repository = repository, Ref = ByteString.CopyFromUtf8(reference), OldValue = oldValue, NewValue = newValue };
        request.EnvironmentVariables.Add(environment);
        using var call = server.Hook.UpdateHook(request);
        return await HookResult.CollectAsync(call.ResponseStream, r => (r.Stdout, r.Stderr, r.ExitStatus));
    }

    public static async Task<HookResult> ReferenceTransactionAsync(ServerFixture server, Gitaly.Repository repository, IReadOnlyList<string> environment,
        ReferenceTransactionHookRequest.Types.State state, string changes)
    {
        using var call = server.Hook.ReferenceTransactionHook();
        var first = new ReferenceTransactionHookRequest { Repository = repository, State = state };
        first.EnvironmentVariables.Add(environment);
        await call.RequestStream.WriteAsync(first);
        await SendChunksAsync(changes, chunk => call.RequestStream.WriteAsync(new ReferenceTransactionHookRequest { Stdin = chunk }));
        await call.RequestStream.CompleteAsync();
        return await HookResult.CollectAsync(call.ResponseStream, r => (r.Stdout, r.Stderr, r.ExitStatus));
    }

    /// <summary>Stdin in small chunks, so that the server must put it back together.</summary>
    private static async Task SendChunksAsync(string text, Func<ByteString, Task> send)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var offset = 0; offset < bytes.Length; offset += 7)
        {
            await send(ByteString.CopyFrom(bytes, offset, Math.Min(7, bytes.Length - offset)));
        }
    }
}

/// <summary>What a hook call relayed: stdout, stderr, and the exit status of the last message (null if none had one).</summary>
internal sealed record HookResult(string Stdout, string Stderr, int? ExitCode, int Messages)
{
    public static async Task<HookResult> CollectAsync<T>(Grpc.Core.IAsyncStreamReader<T> responses,
        Func<T, (ByteString Stdout, ByteString Stderr, ExitStatus? Exit)> parts)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        int? exit = null;
        var messages = 0;
        while (await responses.MoveNext(CancellationToken.None))
        {
            messages++;
            var (o, e, x) = parts(responses.Current);
            o.WriteTo(stdout);
            e.WriteTo(stderr);
            if (x is not null)
            {
                exit = x.Value;
            }
        }

        return new HookResult(Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), exit, messages);
    }
}
