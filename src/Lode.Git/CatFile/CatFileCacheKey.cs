namespace Lode.Git.CatFile;

/// <summary>
/// Which cached process may serve a request (spec §5.4): the client's session, the repository together with its
/// quarantine object directories (<see cref="Lode.Core.Storage.RepositoryPaths.CacheKey"/>), and the mailmap
/// flag, since a mailmap process rewrites identities in what it returns.
/// </summary>
internal readonly record struct CatFileCacheKey(string SessionId, string RepositoryKey, bool UseMailmap);
