using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Repositories;
using Lode.Server.Streaming;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Streams a tar of the repository's refs and objects (see <see cref="RepositorySnapshot"/>), which
    /// CreateRepositoryFromSnapshot and replication extract into a new repository. The archive is written while the
    /// files are read, in 32 KiB messages; a file that cannot be read (a top-level symlink, say) fails the call with
    /// INTERNAL "building snapshot failed: …" after whatever was already sent, as in Gitaly.
    /// </summary>
    public override async Task GetSnapshot(GetSnapshotRequest request, IServerStreamWriter<GetSnapshotResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        using var output = new ResponseChunkStream<GetSnapshotResponse>(responseStream, static data => new GetSnapshotResponse { Data = data },
            cancellationToken);
        try
        {
            await RepositorySnapshot.WriteAsync(repository.StorageRoot, repository.FullPath, output,
                (message, detail) => LogSnapshotWarning(logger, message, detail), cancellationToken);
        }
        catch (SnapshotException e)
        {
            // Gitaly has sent everything written before the failure; so does this.
            await output.CompleteAsync();
            throw LodeException.Internal("building snapshot failed: " + e.Message);
        }

        await output.CompleteAsync();
    }

    [LoggerMessage(EventId = 3601, Level = LogLevel.Warning, Message = "snapshot: {message}: {detail}")]
    private static partial void LogSnapshotWarning(ILogger logger, string message, string detail);
}
