using Gitaly;
using Grpc.Core;
using Lode.Git.Commands;
using Lode.Server.GitTransport;

namespace Lode.Server.Services.SmartHttp;

internal sealed partial class SmartHTTPServiceImpl
{
    /// <summary>The ref advertisement for fetches, preceded by <c># service=git-upload-pack</c> and a flush (spec §6.2).</summary>
    public override async Task InfoRefsUploadPack(InfoRefsRequest request, IServerStreamWriter<InfoRefsResponse> responseStream, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var config = GitConfigOptions.Parse(request.GitConfigOptions);
        protocolMetrics.Record(context.Method, request.GitProtocol);
        using var sink = new MessageSink<InfoRefsResponse>(responseStream);
        await transport.AdvertiseRefsAsync(paths, GitSubcommand.UploadPack, config, request.GitProtocol,
            sink.For(data => new InfoRefsResponse { Data = data }), context.CancellationToken);
    }
}
