using Grpc.Core;
using Lode.Core.Storage;
using Lode.Git.CatFile;

namespace Lode.Server.Repositories;

/// <summary>
/// Hands RPCs a cat-file reader for a repository, reusing the process of an earlier call of the same client
/// session (<c>gitaly-session-id</c>, spec §5.4): Rails sends one id per web request, which makes many RPCs.
/// </summary>
public sealed class ObjectReaders(CatFileCache cache)
{
    public const string SessionIdHeader = "gitaly-session-id";

    public Task<CatFileLease> GetAsync(RepositoryPaths repository, ServerCallContext context, bool useMailmap = false) =>
        cache.GetAsync(repository, context.RequestHeaders.GetValue(SessionIdHeader), useMailmap, context.CancellationToken);
}
