using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Server.GitTransport;
using Lode.Server.Streaming;

namespace Lode.Server.Services.SmartHttp;

internal sealed partial class SmartHTTPServiceImpl
{
    /// <summary>
    /// A fetch over the bidi stream (spec §6.4, the pre-sidechannel form back in v18): the first message names the
    /// repository and carries no data; later <c>data</c> is upload-pack's stdin, its stdout comes back as <c>data</c>.
    /// </summary>
    public override async Task PostUploadPack(IAsyncStreamReader<PostUploadPackRequest> requestStream,
        IServerStreamWriter<PostUploadPackResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw LodeException.Internal("EOF");
        }

        var first = requestStream.Current;
        if (!first.Data.IsEmpty)
        {
            throw LodeException.InvalidArgument("non-empty Data");
        }

        var paths = resolver.Resolve(first.Repository);
        var config = GitConfigOptions.Parse(first.GitConfigOptions);
        protocolMetrics.Record(context.Method, first.GitProtocol);
        using var sink = new MessageSink<PostUploadPackResponse>(responseStream);
        using var stats = await transport.UploadPackAsync(paths, config, first.GitProtocol,
            new RequestStream<PostUploadPackRequest>(requestStream, r => r.Data),
            sink.For(data => new PostUploadPackResponse { Data = data }), TransportRunner.MessageChunkSize, cancellationToken);
    }
}
