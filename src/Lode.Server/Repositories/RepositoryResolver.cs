using Gitaly;
using Lode.Core.Storage;

namespace Lode.Server.Repositories;

/// <summary>Resolves the <c>Repository</c> message of a request through the <see cref="StorageLocator"/> (spec §4.3).</summary>
public sealed class RepositoryResolver(StorageLocator locator)
{
    public StorageLocator Locator => locator;

    /// <summary>
    /// Resolves and, unless <paramref name="mustExist"/> is false, checks that a valid repository is there.
    /// Quarantine directories from a push are honoured (spec §5.5).
    /// </summary>
    public RepositoryPaths Resolve(Repository? repository, bool mustExist = true) => Resolve(repository, mustExist, lexicalOnly: false);

    /// <summary>
    /// The paths of <paramref name="repository"/> with every check that needs no disk access (names, path rules); the
    /// caller looks at the disk itself. See <see cref="StorageLocator.Resolve"/>.
    /// </summary>
    public RepositoryPaths ResolveLexically(Repository? repository) => Resolve(repository, mustExist: false, lexicalOnly: true);

    private RepositoryPaths Resolve(Repository? repository, bool mustExist, bool lexicalOnly)
    {
        if (repository is null)
        {
            throw Core.Errors.LodeException.InvalidArgument("repository not set");
        }

        return locator.Resolve(
            repository.StorageName,
            repository.RelativePath,
            mustExist,
            repository.GitObjectDirectory,
            repository.GitAlternateObjectDirectories.Count > 0 ? repository.GitAlternateObjectDirectories : null,
            lexicalOnly);
    }
}
