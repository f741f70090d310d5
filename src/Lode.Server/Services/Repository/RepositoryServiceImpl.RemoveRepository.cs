using Gitaly;
using Grpc.Core;
using Lode.Git.Repositories;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>Removes a repository: staged rename under the lock, then delete. NOT_FOUND when there is none.</summary>
    public override Task<RemoveRepositoryResponse> RemoveRepository(RemoveRepositoryRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository, mustExist: false);
        RepositoryRemover.Remove(paths);
        return Task.FromResult(new RemoveRepositoryResponse());
    }
}
