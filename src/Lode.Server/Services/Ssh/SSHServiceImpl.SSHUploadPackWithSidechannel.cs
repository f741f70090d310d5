using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.PktLine;
using Lode.Server.Conversions;
using Lode.Server.GitTransport;
using Lode.Server.Sidechannel;

namespace Lode.Server.Services.Ssh;

internal sealed partial class SSHServiceImpl
{
    /// <summary>
    /// A fetch over SSH whose data travels on a sidechannel (spec §6.6): the client's stdin arrives framed, git's
    /// stdout and stderr go back as side-band packets (1 and 2). As in Gitaly the sidechannel is opened first (a
    /// failure is ABORTED), then the repository is checked.
    /// </summary>
    public override async Task<SSHUploadPackWithSidechannelResponse> SSHUploadPackWithSidechannel(SSHUploadPackWithSidechannelRequest request,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        SidechannelConnection connection;
        try
        {
            connection = await SidechannelConnection.OpenAsync(context, cancellationToken);
        }
        catch (SidechannelException e)
        {
            // Gitaly's message, spelling included: clients may match it.
            throw new LodeException(ErrorCode.Aborted, "opennig sidechannel: " + e.Message);
        }

        await using (connection)
        {
            var paths = resolver.Resolve(request.Repository);
            var config = GitConfigOptions.Parse(request.GitConfigOptions);
            protocolMetrics.Record(context.Method, request.GitProtocol);
            using var sideband = new SidebandSink(connection.WriteAsync);
            using var stats = new PackfileNegotiation();
            var outcome = await transport.RunUploadCommandAsync(paths, GitSubcommand.UploadPack, config, request.GitProtocol,
                connection.Input, sideband.StdoutAsync, sideband.StderrAsync, NegotiationMonitor.Done.ToArray(),
                transport.Options.Timeout.UploadPackNegotiation, stats, cancellationToken);
            if (outcome.Error is { } error)
            {
                throw LodeException.Wrap("running upload-pack", error);
            }

            await connection.CloseAsync();
            return new SSHUploadPackWithSidechannelResponse
            {
                PackfileNegotiationStatistics = PackfileNegotiationConverter.ToProto(stats, partial: true),
            };
        }
    }
}
