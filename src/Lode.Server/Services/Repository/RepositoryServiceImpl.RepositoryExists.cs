using Gitaly;
using Grpc.Core;
using Lode.Core.Storage;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Whether a valid repository is at the path. Invalid requests (no storage, unknown storage, escaping path, a
    /// storage folder that is gone) are errors; a missing or broken repository is simply "false". A repository that is
    /// there costs three stats: the storage folder is looked at only for a "false".
    /// </summary>
    public override Task<RepositoryExistsResponse> RepositoryExists(RepositoryExistsRequest request, ServerCallContext context)
    {
        var paths = resolver.ResolveLexically(request.Repository);
        if (StorageLocator.IsRepository(paths.FullPath))
        {
            return Task.FromResult(new RepositoryExistsResponse { Exists = true });
        }

        _ = resolver.Locator.GetStorageRoot(paths.StorageName);
        return Task.FromResult(new RepositoryExistsResponse { Exists = false });
    }
}
