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

    /// <summary>
    /// The name prefix of a server-side object quarantine for the repository at <paramref name="relativePath"/>:
    /// <c>quarantine-&lt;hex of the first 8 bytes of SHA-1(relative path)&gt;-</c>, as Gitaly. It ties a quarantine
    /// folder to one repository, so a request cannot point a repository at another one's quarantine.
    /// </summary>
    public static string QuarantinePrefix(string relativePath)
    {
        // SHA-1 names a folder here (Gitaly's choice, kept so names match); it protects nothing.
#pragma warning disable CA5350
        var hash = System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(relativePath));
#pragma warning restore CA5350
        return "quarantine-" + Convert.ToHexStringLower(hash.AsSpan(0, 8)) + "-";
    }

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
