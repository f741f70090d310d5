namespace Lode.Core.Storage;

/// <summary>
/// Reserved folders inside a storage (spec §1.4). '+' never occurs in GitLab's repository paths, so
/// <c>+gitaly/</c> cannot collide with a repository.
/// </summary>
public static class StorageDirectories
{
    /// <summary>Staging for creation, removal and quarantines; swept of entries older than 7 days.</summary>
    public static string Tmp(string storageRoot) => Path.Combine(storageRoot, "+gitaly", "tmp");

    public static string State(string storageRoot) => Path.Combine(storageRoot, "+gitaly", "state");

    public static string Cache(string storageRoot) => Path.Combine(storageRoot, "+gitaly", "cache");

    /// <summary>Creates and returns a fresh folder under <c>+gitaly/tmp</c> named with <paramref name="prefix"/>.</summary>
    public static string CreateTempDirectory(string storageRoot, string prefix)
    {
        var tmp = Tmp(storageRoot);
        Directory.CreateDirectory(tmp);
        var path = Path.Combine(tmp, prefix + Guid.NewGuid().ToString("N")[..16]);
        Directory.CreateDirectory(path);
        return path;
    }
}
