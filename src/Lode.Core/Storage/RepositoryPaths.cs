namespace Lode.Core.Storage;

/// <summary>
/// A repository request resolved to disk: which storage, where the repository lives, and the object
/// directories of a push quarantine when the client named them (spec §5.5). All paths are absolute.
/// </summary>
public sealed record RepositoryPaths(
    string StorageName,
    string StorageRoot,
    string RelativePath,
    string FullPath,
    string? ObjectDirectory = null,
    IReadOnlyList<string>? AlternateObjectDirectories = null)
{
    /// <summary>True when reads must look in a quarantine as well as the repository's own objects.</summary>
    public bool HasQuarantine => ObjectDirectory is not null || AlternateObjectDirectories is { Count: > 0 };

    /// <summary>A key that tells two requests apart when they may see different objects (cat-file reuse).</summary>
    public string CacheKey => StorageName + "\0" + RelativePath + "\0" + ObjectDirectory + "\0" +
        string.Join(',', AlternateObjectDirectories ?? []);
}
