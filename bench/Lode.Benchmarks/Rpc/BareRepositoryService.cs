using Gitaly;
using Grpc.Core;

namespace Lode.Benchmarks.Rpc;

/// <summary>
/// The baseline: a plain grpc-dotnet service answering RepositoryExists with the same filesystem checks as Lode
/// (storage lookup, path join, objects/refs/HEAD present), and nothing else: no auth, no logging, no metrics.
/// </summary>
internal sealed class BareRepositoryService(string storageRoot) : RepositoryService.RepositoryServiceBase
{
    public override Task<RepositoryExistsResponse> RepositoryExists(RepositoryExistsRequest request, ServerCallContext context)
    {
        var path = Path.Combine(storageRoot, request.Repository.RelativePath);
        var exists = Directory.Exists(Path.Combine(path, "objects")) && Directory.Exists(Path.Combine(path, "refs")) &&
            File.Exists(Path.Combine(path, "HEAD"));
        return Task.FromResult(new RepositoryExistsResponse { Exists = exists });
    }
}
