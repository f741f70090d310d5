using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.PktLine;
using Lode.Server.GitTransport;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ssh;

internal sealed partial class SSHServiceImpl
{
    /// <summary>
    /// A fetch over SSH on the bidi stream (spec §6.6): <c>stdin</c> messages feed <c>git upload-pack</c>, whose output
    /// comes back as <c>stdout</c>/<c>stderr</c>. On failure one <c>exit_status</c> message precedes the error; on
    /// success none is sent (clients take its absence as 0).
    /// </summary>
    public override async Task SSHUploadPack(IAsyncStreamReader<SSHUploadPackRequest> requestStream,
        IServerStreamWriter<SSHUploadPackResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw LodeException.Internal("EOF");
        }

        var first = requestStream.Current;
        var paths = resolver.Resolve(first.Repository);
        if (!first.Stdin.IsEmpty)
        {
            throw LodeException.InvalidArgument("non-empty stdin in first request");
        }

        var config = GitConfigOptions.Parse(first.GitConfigOptions);
        protocolMetrics.Record(context.Method, first.GitProtocol);
        using var sink = new MessageSink<SSHUploadPackResponse>(responseStream);
        using var stats = new PackfileNegotiation();
        var outcome = await transport.RunUploadCommandAsync(paths, GitSubcommand.UploadPack, config, first.GitProtocol,
            new RequestStream<SSHUploadPackRequest>(requestStream, r => r.Stdin),
            sink.For(data => new SSHUploadPackResponse { Stdout = data }),
            sink.For(data => new SSHUploadPackResponse { Stderr = data }),
            NegotiationMonitor.Done.ToArray(), transport.Options.Timeout.UploadPackNegotiation, stats, cancellationToken);
        if (outcome.Error is { } error)
        {
            await SendExitStatusAsync(sink, new SSHUploadPackResponse { ExitStatus = new ExitStatus { Value = outcome.ExitStatus ?? 0 } }, cancellationToken);
            throw LodeException.Wrap("running upload-pack", error);
        }
    }

    /// <summary>The exit status before an error; if the client is gone it cannot be told, and the error says enough.</summary>
    private static async Task SendExitStatusAsync<TResponse>(MessageSink<TResponse> sink, TResponse message, CancellationToken cancellationToken)
        where TResponse : class
    {
        try
        {
            await sink.SendAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            // Gitaly logs and goes on to return the error.
        }
    }
}
