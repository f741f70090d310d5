using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Lode.Git.PktLine;
using Lode.Server.Auth;
using Lode.Server.Backchannel;
using Lode.Server.Sidechannel;

namespace Lode.Host.Cli;

/// <summary>
/// One git transport session of <c>lode ssh</c>: git's stdin/stdout/stderr relayed through the SSHService RPCs, as
/// gitlab-shell and gitaly-ssh do. Returns the exit status git should see.
/// </summary>
internal sealed class SshSession(GitalyAddress address, string? token, bool useSidechannel, Metadata baseHeaders)
{
    private const int StdinChunk = 32 * 1024;

    private readonly SidechannelRegistry sidechannels = new();

    public async Task<int> UploadPackAsync(SSHUploadPackWithSidechannelRequest request, CancellationToken cancellationToken)
    {
        using var channel = CreateChannel(multiplexed: useSidechannel);
        var client = new SSHService.SSHServiceClient(channel);
        if (useSidechannel)
        {
            var stdout = Console.OpenStandardOutput();
            var stderr = Console.OpenStandardError();
            var waiter = sidechannels.Register((sidechannel, ct) => ProxySidebandAsync(sidechannel, Console.OpenStandardInput(), stdout, stderr, ct),
                cancellationToken);
            var headers = Headers();
            headers.Add(SidechannelProtocol.MetadataKey, waiter.MetadataValue);
            try
            {
                await client.SSHUploadPackWithSidechannelAsync(request, headers, cancellationToken: cancellationToken);
            }
            catch (RpcException)
            {
                waiter.Abort();
                await CloseQuietlyAsync(waiter);
                throw;
            }

            await waiter.CloseAsync();
            return 0;
        }

        using var call = client.SSHUploadPack(Headers(), cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new SSHUploadPackRequest
        {
            Repository = request.Repository,
            GitConfigOptions = { request.GitConfigOptions },
            GitProtocol = request.GitProtocol,
        }, cancellationToken);
        return await PumpAsync(call.RequestStream, data => new SSHUploadPackRequest { Stdin = data }, call.ResponseStream,
            r => (r.Stdout, r.Stderr, r.ExitStatus), cancellationToken);
    }

    public async Task<int> ReceivePackAsync(SSHReceivePackRequest request, CancellationToken cancellationToken)
    {
        using var channel = CreateChannel(multiplexed: false);
        var client = new SSHService.SSHServiceClient(channel);
        using var call = client.SSHReceivePack(Headers(), cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(request, cancellationToken);
        return await PumpAsync(call.RequestStream, data => new SSHReceivePackRequest { Stdin = data }, call.ResponseStream,
            r => (r.Stdout, r.Stderr, r.ExitStatus), cancellationToken);
    }

    public async Task<int> UploadArchiveAsync(SSHUploadArchiveRequest request, CancellationToken cancellationToken)
    {
        using var channel = CreateChannel(multiplexed: false);
        var client = new SSHService.SSHServiceClient(channel);
        using var call = client.SSHUploadArchive(Headers(), cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(request, cancellationToken);
        return await PumpAsync(call.RequestStream, data => new SSHUploadArchiveRequest { Stdin = data }, call.ResponseStream,
            r => (r.Stdout, r.Stderr, r.ExitStatus), cancellationToken);
    }

    /// <summary>
    /// stdin goes out as messages (then the half-close), replies go to stdout/stderr; the last exit status wins, none
    /// means 0. The reply stream ending is the end: stdin may stay open.
    /// </summary>
    private static async Task<int> PumpAsync<TRequest, TResponse>(IClientStreamWriter<TRequest> requests, Func<ByteString, TRequest> toRequest,
        IAsyncStreamReader<TResponse> responses, Func<TResponse, (ByteString Stdout, ByteString Stderr, ExitStatus? Exit)> parts,
        CancellationToken cancellationToken)
        where TRequest : class
    {
        using var stopStdin = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var send = SendStdinAsync(requests, toRequest, stopStdin.Token);
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        var exit = 0;
        try
        {
            while (await responses.MoveNext(cancellationToken))
            {
                var (outData, errData, status) = parts(responses.Current);
                if (status is not null)
                {
                    exit = status.Value;
                }

                if (!errData.IsEmpty)
                {
                    await stderr.WriteAsync(errData.Memory, cancellationToken);
                    await stderr.FlushAsync(cancellationToken);
                }

                if (!outData.IsEmpty)
                {
                    await stdout.WriteAsync(outData.Memory, cancellationToken);
                    await stdout.FlushAsync(cancellationToken);
                }
            }
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync($"rpc error: code = {e.StatusCode} desc = {e.Status.Detail}");
            return exit == 0 ? 1 : exit;
        }
        finally
        {
            // The call is over; whatever stdin still has is not needed. A read of the process's stdin cannot be
            // cancelled (git keeps its end open), so the copy is left behind rather than awaited.
            await stopStdin.CancelAsync();
            Forget(send);
        }

        return exit;
    }

    private static async Task SendStdinAsync<TRequest>(IClientStreamWriter<TRequest> requests, Func<ByteString, TRequest> toRequest,
        CancellationToken cancellationToken)
        where TRequest : class
    {
        var stdin = Console.OpenStandardInput();
        var buffer = new byte[StdinChunk];
        while (true)
        {
            var read = await stdin.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }

            await requests.WriteAsync(toRequest(ByteString.CopyFrom(buffer, 0, read)), cancellationToken);
        }

        await requests.CompleteAsync();
    }

    /// <summary>
    /// gitlab-shell's sidechannel fetch: stdin is framed onto the sidechannel and ended with <c>0000</c>; the reply is
    /// side-band packets, band 1 to stdout and band 2 to stderr. It is done when the reply ends.
    /// </summary>
    internal static async Task ProxySidebandAsync(SidechannelClientStream sidechannel, Stream stdin, Stream stdout, Stream stderr,
        CancellationToken cancellationToken)
    {
        using var stopStdin = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var send = Task.Run(async () =>
        {
            var buffer = new byte[StdinChunk];
            while (true)
            {
                var read = await stdin.ReadAsync(buffer, stopStdin.Token);
                if (read == 0)
                {
                    break;
                }

                await sidechannel.WriteAsync(buffer.AsMemory(0, read), stopStdin.Token);
            }

            await sidechannel.CloseWriteAsync(stopStdin.Token);
        }, stopStdin.Token);

        try
        {
            await using var reader = new PktLineReader(sidechannel.Stream, leaveOpen: true);
            while (await reader.ReadAsync(cancellationToken) is { } packet)
            {
                if (packet.Kind != PktLineKind.Data || packet.Data.Length == 0)
                {
                    throw new SidechannelException("invalid side band packet");
                }

                var target = packet.Data.Span[0] switch
                {
                    1 => stdout,
                    2 => stderr,
                    var band => throw new SidechannelException("invalid side band: " + band),
                };
                await target.WriteAsync(packet.Data[1..], cancellationToken);
                await target.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            // The reply is complete; stdin is not needed any more (see PumpAsync on why it is not awaited).
            await stopStdin.CancelAsync();
            Forget(send);
        }
    }

    /// <summary>Observes a task nobody waits for, so that its failure is not reported as unobserved.</summary>
    private static void Forget(Task task) => _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static async Task CloseQuietlyAsync(SidechannelWaiter waiter)
    {
        try
        {
            await waiter.CloseAsync();
        }
        catch (Exception e) when (e is SidechannelException or IOException or OperationCanceledException)
        {
            // The call failed; that error is the one to report.
        }
    }

    private Metadata Headers()
    {
        var headers = new Metadata();
        foreach (var entry in baseHeaders)
        {
            headers.Add(entry);
        }

        if (!string.IsNullOrEmpty(token))
        {
            headers.Add("authorization", TokenValidator.CreateHeader(token, DateTimeOffset.UtcNow));
        }

        return headers;
    }

    /// <summary>
    /// A channel over our own connection: TLS (for <c>tls://</c>) is done in the connect callback so that the
    /// backchannel magic can go inside it, as Gitaly's clients do; HTTP/2 then runs in clear over it.
    /// </summary>
    private GrpcChannel CreateChannel(bool multiplexed)
    {
        var dialer = new BackchannelDialer(address, sidechannels);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = multiplexed
                ? async (_, ct) => await dialer.ConnectAsync(ct)
                : async (_, ct) => await BackchannelDialer.ConnectTransportAsync(address, null, ct),
            EnableMultipleHttp2Connections = false,
        };
        return GrpcChannel.ForAddress("http://" + address.Authority, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
        });
    }
}
