using System.Globalization;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Server.GitTransport;
using Lode.Server.Hooks;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ssh;

internal sealed partial class SSHServiceImpl
{
    /// <summary>
    /// A push over SSH (spec §6.6): <c>git receive-pack</c> with the receive hooks (protocol <c>ssh</c>). When git fails,
    /// its exit status is sent first; git's "remote end hung up" alone means the user gave up (CANCELED).
    /// </summary>
    public override async Task SSHReceivePack(IAsyncStreamReader<SSHReceivePackRequest> requestStream,
        IServerStreamWriter<SSHReceivePackResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw LodeException.Internal("EOF");
        }

        var first = requestStream.Current;
        if (first.GlId.Length == 0)
        {
            throw LodeException.InvalidArgument("empty GlId");
        }

        if (!first.Stdin.IsEmpty)
        {
            throw LodeException.InvalidArgument("non-empty data in first request");
        }

        var paths = resolver.Resolve(first.Repository);
        var config = GitConfigOptions.Parse(first.GitConfigOptions);
        protocolMetrics.Record(context.Method, first.GitProtocol);
        var user = new HooksUserDetails
        {
            UserId = first.GlId,
            Username = first.GlUsername,
            Protocol = "ssh",
            RemoteIp = context.RequestHeaders.GetValue("remote_ip") ?? "",
        };

        using var sink = new MessageSink<SSHReceivePackResponse>(responseStream);
        var outcome = await transport.ReceivePackAsync(paths, first.Repository, user, config, first.GitProtocol, stateless: false,
            new RequestStream<SSHReceivePackRequest>(requestStream, r => r.Stdin),
            sink.For(data => new SSHReceivePackResponse { Stdout = data }),
            sink.For(data => new SSHReceivePackResponse { Stderr = data }), context, cancellationToken);
        if (outcome.StartError is { } startError)
        {
            throw TransportRunner.Failure(ErrorCode.Internal, "start cmd", startError);
        }

        if (outcome.ExitCode is { } exit and not 0)
        {
            await SendExitStatusAsync(sink, new SSHReceivePackResponse { ExitStatus = new ExitStatus { Value = exit } }, cancellationToken);
            if (outcome.HungUp)
            {
                throw new LodeException(ErrorCode.Canceled, "user canceled the push");
            }

            throw new LodeException(ErrorCode.Internal, "cmd wait: exit status " + exit.ToString(CultureInfo.InvariantCulture))
                .With("stderr", outcome.Stderr);
        }

        // Gitaly ends with a final COMMITTED vote of zeroes; outside a cluster transaction that is a no-op.
    }
}
