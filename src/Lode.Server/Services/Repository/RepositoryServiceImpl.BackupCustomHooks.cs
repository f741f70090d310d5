using Gitaly;
using Grpc.Core;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>The deprecated name of <see cref="GetCustomHooks"/>; Gitaly runs the same code for both.</summary>
    [Obsolete("Deprecated in the proto; kept for old clients.")]
    public override async Task BackupCustomHooks(BackupCustomHooksRequest request, IServerStreamWriter<BackupCustomHooksResponse> responseStream,
        ServerCallContext context)
    {
        var repository = resolver.Resolve(request.Repository);
        await WriteCustomHooksAsync(repository, responseStream, data => new BackupCustomHooksResponse { Data = data }, context.CancellationToken);
    }
}
