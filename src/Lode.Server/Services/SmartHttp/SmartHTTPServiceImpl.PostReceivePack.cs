using System.Globalization;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Server.GitTransport;
using Lode.Server.Hooks;
using Lode.Server.Streaming;

namespace Lode.Server.Services.SmartHttp;

internal sealed partial class SmartHTTPServiceImpl
{
    /// <summary>
    /// A push over HTTP (spec §6.5): <c>git receive-pack --stateless-rpc</c> with the receive hooks, as the user named by
    /// <c>gl_id</c>. A hook that refuses the push does not fail the call: git reports the rejection in-band.
    /// </summary>
    public override async Task PostReceivePack(IAsyncStreamReader<PostReceivePackRequest> requestStream,
        IServerStreamWriter<PostReceivePackResponse> responseStream, ServerCallContext context)
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

        if (!first.Data.IsEmpty)
        {
            throw LodeException.InvalidArgument("non-empty Data");
        }

        var paths = resolver.Resolve(first.Repository);
        var config = GitConfigOptions.Parse(first.GitConfigOptions);
        protocolMetrics.Record(context.Method, first.GitProtocol);
        var user = new HooksUserDetails
        {
            UserId = first.GlId,
            Username = first.GlUsername,
            Protocol = "http",
            RemoteIp = context.RequestHeaders.GetValue("remote_ip") ?? "",
        };

        using var sink = new MessageSink<PostReceivePackResponse>(responseStream);
        var outcome = await transport.ReceivePackAsync(paths, first.Repository, user, config, first.GitProtocol, stateless: true,
            new RequestStream<PostReceivePackRequest>(requestStream, r => r.Data),
            sink.For(data => new PostReceivePackResponse { Data = data }), stderr: null, context, cancellationToken);
        if (outcome.StartError is { } startError)
        {
            throw TransportRunner.Failure(ErrorCode.FailedPrecondition, "spawning receive-pack", startError);
        }

        if (outcome.ExitCode != 0)
        {
            throw new LodeException(ErrorCode.FailedPrecondition,
                "waiting for receive-pack: exit status " + outcome.ExitCode?.ToString(CultureInfo.InvariantCulture))
                .With("stderr", outcome.Stderr);
        }

        // Gitaly ends with a final COMMITTED vote of zeroes; outside a cluster transaction that is a no-op.
    }
}
