using Gitaly;
using Google.Protobuf;
using Grpc.Core;

namespace Lode.Server.Tests.Services.Ssh;

/// <summary>Drives the bidi SSH RPCs as gitlab-shell does, for the tests of this folder.</summary>
internal static class SshCalls
{
    /// <summary>Sends <paramref name="first"/>, then <paramref name="stdin"/> in 32 KiB messages, then (unless told not to) the half-close.</summary>
    public static async Task<SshResult> RunAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, TRequest first, byte[] stdin,
        Func<ByteString, TRequest> toStdin, Func<TResponse, (ByteString Stdout, ByteString Stderr, ExitStatus? Exit)> parts, bool close = true)
        where TRequest : class
        where TResponse : class
    {
        using var _ = call;
        await call.RequestStream.WriteAsync(first);
        for (var offset = 0; offset < stdin.Length; offset += 32 * 1024)
        {
            await call.RequestStream.WriteAsync(toStdin(ByteString.CopyFrom(stdin, offset, Math.Min(32 * 1024, stdin.Length - offset))));
        }

        if (close)
        {
            await call.RequestStream.CompleteAsync();
        }

        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var statuses = new List<int>();
        RpcException? error = null;
        try
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                var (o, e, exit) = parts(response);
                o.WriteTo(stdout);
                e.WriteTo(stderr);
                if (exit is not null)
                {
                    statuses.Add(exit.Value);
                }
            }
        }
        catch (RpcException e)
        {
            error = e;
        }

        return new SshResult(stdout.ToArray(), stderr.ToArray(), statuses, error);
    }

    public static Task<SshResult> UploadPackAsync(SSHService.SSHServiceClient client, SSHUploadPackRequest first, byte[] stdin, bool close = true) =>
        RunAsync(client.SSHUploadPack(), first, stdin, data => new SSHUploadPackRequest { Stdin = data }, r => (r.Stdout, r.Stderr, r.ExitStatus), close);

    public static Task<SshResult> ReceivePackAsync(SSHService.SSHServiceClient client, SSHReceivePackRequest first, byte[] stdin, bool close = true) =>
        RunAsync(client.SSHReceivePack(), first, stdin, data => new SSHReceivePackRequest { Stdin = data }, r => (r.Stdout, r.Stderr, r.ExitStatus), close);

    public static Task<SshResult> UploadArchiveAsync(SSHService.SSHServiceClient client, SSHUploadArchiveRequest first, byte[] stdin, bool close = true) =>
        RunAsync(client.SSHUploadArchive(), first, stdin, data => new SSHUploadArchiveRequest { Stdin = data }, r => (r.Stdout, r.Stderr, r.ExitStatus), close);
}
