using Gitaly;
using Grpc.Core;
using Lode.Git.Housekeeping;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>Size of the repository folder in KiB (sum of file sizes, as Gitaly walks it).</summary>
    public override Task<RepositorySizeResponse> RepositorySize(RepositorySizeRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        return Task.FromResult(new RepositorySizeResponse { Size = DirectorySize.Bytes(paths.FullPath, context.CancellationToken) / 1024 });
    }

    /// <summary>
    /// Size of the object directory in KiB. During a push the client names the quarantine directory, and that is
    /// what is measured: Rails uses it to enforce size limits on what is being pushed.
    /// </summary>
    public override Task<GetObjectDirectorySizeResponse> GetObjectDirectorySize(GetObjectDirectorySizeRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var objects = paths.ObjectDirectory ?? Path.Combine(paths.FullPath, "objects");
        return Task.FromResult(new GetObjectDirectorySizeResponse { Size = DirectorySize.Bytes(objects, context.CancellationToken) / 1024 });
    }
}
