using Gitaly;
using Grpc.Core;
using Lode.Git.Commands;
using Lode.Server.GitTransport;

namespace Lode.Server.Services.SmartHttp;

internal sealed partial class SmartHTTPServiceImpl
{
    /// <summary>
    /// The ref advertisement for pushes, preceded by <c># service=git-receive-pack</c> and a flush (spec §6.2). It runs
    /// without hooks: advertising updates nothing.
    /// </summary>
    public override async Task InfoRefsReceivePack(InfoRefsRequest request, IServerStreamWriter<InfoRefsResponse> responseStream, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var config = GitConfigOptions.Parse(request.GitConfigOptions);
        protocolMetrics.Record(context.Method, request.GitProtocol);
        using var sink = new MessageSink<InfoRefsResponse>(responseStream);
        await transport.AdvertiseRefsAsync(paths, GitSubcommand.ReceivePack, config, request.GitProtocol,
            sink.For(data => new InfoRefsResponse { Data = data }), context.CancellationToken);
    }
}
