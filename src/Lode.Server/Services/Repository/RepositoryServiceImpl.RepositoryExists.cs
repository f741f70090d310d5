using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Whether a valid repository is at the path. Invalid requests (no storage, unknown storage, escaping path)
    /// are errors; a missing or broken repository is simply "false".
    /// </summary>
    public override Task<RepositoryExistsResponse> RepositoryExists(RepositoryExistsRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository, mustExist: false);
        try
        {
            StorageLocator.ValidateRepository(paths.FullPath);
            return Task.FromResult(new RepositoryExistsResponse { Exists = true });
        }
        catch (LodeException e) when (e.Code is ErrorCode.NotFound or ErrorCode.FailedPrecondition)
        {
            return Task.FromResult(new RepositoryExistsResponse { Exists = false });
        }
    }
}
