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
    /// <c>git archive --remote</c> over SSH (spec §6.6): <c>git upload-archive</c>, whose arguments must end (flush)
    /// within <c>upload_archive_negotiation</c>. It always ends with an <c>exit_status</c> message, 0 on success.
    /// </summary>
    public override async Task SSHUploadArchive(IAsyncStreamReader<SSHUploadArchiveRequest> requestStream,
        IServerStreamWriter<SSHUploadArchiveResponse> responseStream, ServerCallContext context)
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

        using var sink = new MessageSink<SSHUploadArchiveResponse>(responseStream);
        var outcome = await transport.RunUploadCommandAsync(paths, GitSubcommand.UploadArchive, [], gitProtocol: null,
            new RequestStream<SSHUploadArchiveRequest>(requestStream, r => r.Stdin),
            sink.For(data => new SSHUploadArchiveResponse { Stdout = data }),
            sink.For(data => new SSHUploadArchiveResponse { Stderr = data }),
            NegotiationMonitor.Flush.ToArray(), transport.Options.Timeout.UploadArchiveNegotiation, stats: null, cancellationToken);
        if (outcome.Error is { } error)
        {
            if (outcome.ExitStatus is { } status)
            {
                await sink.SendAsync(new SSHUploadArchiveResponse { ExitStatus = new ExitStatus { Value = status } }, cancellationToken);
                throw LodeException.Wrap("send", error);
            }

            throw LodeException.Wrap("running upload-archive", error);
        }

        await sink.SendAsync(new SSHUploadArchiveResponse { ExitStatus = new ExitStatus { Value = 0 } }, cancellationToken);
    }
}
