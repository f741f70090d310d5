using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.PktLine;
using Lode.Server.Conversions;
using Lode.Server.GitTransport;
using Lode.Server.Sidechannel;

namespace Lode.Server.Services.SmartHttp;

internal sealed partial class SmartHTTPServiceImpl
{
    /// <summary>
    /// A fetch whose data travels on a sidechannel (spec §6.3): the request body arrives framed on the sidechannel,
    /// upload-pack's output goes back unframed, and the sidechannel is closed before the answer, which carries the
    /// negotiation statistics.
    /// </summary>
    public override async Task<PostUploadPackWithSidechannelResponse> PostUploadPackWithSidechannel(PostUploadPackWithSidechannelRequest request,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var paths = resolver.Resolve(request.Repository);
        var config = GitConfigOptions.Parse(request.GitConfigOptions);

        SidechannelConnection connection;
        try
        {
            connection = await SidechannelConnection.OpenAsync(context, cancellationToken);
        }
        catch (SidechannelException e)
        {
            throw new LodeException(ErrorCode.Internal, "open sidechannel: " + e.Message);
        }

        await using (connection)
        {
            protocolMetrics.Record(context.Method, request.GitProtocol);
            PackfileNegotiation stats;
            try
            {
                stats = await transport.UploadPackAsync(paths, config, request.GitProtocol, connection.Input, connection.WriteAsync,
                    TransportRunner.CopyBufferSize, cancellationToken);
            }
            catch (LodeException e)
            {
                throw LodeException.Wrap("running upload-pack", e);
            }

            await connection.CloseAsync();
            return new PostUploadPackWithSidechannelResponse
            {
                PackfileNegotiationStatistics = PackfileNegotiationConverter.ToProto(stats, partial: false),
            };
        }
    }
}
