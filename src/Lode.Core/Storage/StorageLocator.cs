using Lode.Core.Configuration;
using Lode.Core.Errors;

namespace Lode.Core.Storage;

/// <summary>
/// Turns a (storage, relative path) pair into a folder on disk, in Gitaly's validation order and with its
/// codes and messages (spec §4.3). Nothing a client sends may lead outside its storage folder.
/// </summary>
public sealed class StorageLocator
{
    private readonly Dictionary<string, string> roots = new(StringComparer.Ordinal);

    public StorageLocator(IEnumerable<StorageOptions> storages)
    {
        foreach (var storage in storages)
        {
            roots.TryAdd(storage.Name, ConfigValidator.Clean(storage.Path));
        }
    }

    public IEnumerable<string> StorageNames => roots.Keys;

    /// <summary>The storage's root folder; INVALID_ARGUMENT if unknown, NOT_FOUND if the folder is gone.</summary>
    public string GetStorageRoot(string storageName)
    {
        var root = GetConfiguredRoot(storageName);
        EnsureStorageExists(root);
        return root;
    }

    /// <summary>The storage's root folder as configured; INVALID_ARGUMENT if unknown. Whether it exists is not checked.</summary>
    private string GetConfiguredRoot(string storageName)
    {
        if (string.IsNullOrEmpty(storageName))
        {
            throw LodeException.InvalidArgument("storage name not set");
        }

        if (!roots.TryGetValue(storageName, out var root))
        {
            throw LodeException.InvalidArgument("storage name not found").With("storage_name", storageName);
        }

        return root;
    }

    private static void EnsureStorageExists(string root)
    {
        if (!Directory.Exists(root))
        {
            throw LodeException.NotFound("storage does not exist").With("storage_path", root);
        }
    }

    /// <summary>
    /// Resolves a repository. <paramref name="mustExist"/> = false is for creation RPCs, which check the
    /// target themselves. Quarantine directories are relative to the repository and must stay inside it.
    /// <paramref name="lexicalOnly"/> (with <paramref name="mustExist"/> false) skips the storage folder's check as well,
    /// for a caller that looks at the disk itself and words a refusal with <see cref="GetStorageRoot"/>.
    /// </summary>
    public RepositoryPaths Resolve(
        string storageName,
        string relativePath,
        bool mustExist = true,
        string? gitObjectDirectory = null,
        IReadOnlyList<string>? gitAlternateObjectDirectories = null,
        bool lexicalOnly = false)
    {
        if (string.IsNullOrEmpty(storageName) && string.IsNullOrEmpty(relativePath))
        {
            throw LodeException.InvalidArgument("repository not set");
        }

        if (string.IsNullOrEmpty(relativePath))
        {
            throw LodeException.InvalidArgument("repository path not set");
        }

        // A repository that passes every check below lies inside the storage folder, which therefore exists: the folder
        // is looked at only when an answer depends on it (creation, or a refusal), so that the usual call costs no stat.
        // Every refusal still comes in Gitaly's order, the missing storage first.
        var root = GetConfiguredRoot(storageName);
        if (!mustExist && !lexicalOnly)
        {
            EnsureStorageExists(root);
        }

        if (HasOverlongComponent(relativePath))
        {
            EnsureStorageExists(root);
            throw LodeException.InvalidArgument("relative path has a component that is too long").With("relative_path", relativePath);
        }

        var full = JoinInside(root, relativePath);
        if (full is null)
        {
            EnsureStorageExists(root);
            throw LodeException.InvalidArgument("relative path escapes root directory").With("relative_path", relativePath);
        }

        // Lexically fine but never a repository: the storage itself (removing it would remove every repository)
        // and the server's reserved +gitaly folder (staging, quarantines, caches).
        if (full == root || full.StartsWith(root.TrimEnd('/') + "/+gitaly", StringComparison.Ordinal))
        {
            EnsureStorageExists(root);
            throw LodeException.InvalidArgument("relative path does not name a repository").With("relative_path", relativePath);
        }

        if (mustExist)
        {
            ValidateRepository(full, root);
        }

        string? objectDir = null;
        if (!string.IsNullOrEmpty(gitObjectDirectory))
        {
            objectDir = ResolveObjectDirectory(root, full, relativePath, gitObjectDirectory)
                ?? throw LodeException.InvalidArgument("object directory escapes repository").With("git_object_directory", gitObjectDirectory);
        }

        List<string>? alternates = null;
        if (gitAlternateObjectDirectories is { Count: > 0 })
        {
            alternates = new List<string>(gitAlternateObjectDirectories.Count);
            foreach (var alternate in gitAlternateObjectDirectories)
            {
                alternates.Add(ResolveObjectDirectory(root, full, relativePath, alternate)
                    ?? throw LodeException.InvalidArgument("alternate object directory escapes repository").With("git_alternate_object_directory", alternate));
            }
        }

        return new RepositoryPaths(storageName, root, relativePath, full, objectDir, alternates);
    }

    /// <summary>
    /// An object directory of a request (spec §5.5), relative to the repository: inside the repository (git
    /// receive-pack's <c>objects/incoming-*</c> quarantine, or <c>objects</c>), or a server-side quarantine in the
    /// storage's <c>+gitaly/tmp</c> whose name carries this repository's <see cref="StorageDirectories.QuarantinePrefix"/>.
    /// Anything else is refused (null).
    /// </summary>
    private static string? ResolveObjectDirectory(string root, string repositoryPath, string relativePath, string directory)
    {
        if (JoinInside(repositoryPath, directory) is { } inside)
        {
            return inside;
        }

        if (directory.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var joined = "/" + string.Join('/', CleanSegments(repositoryPath + "/" + directory));
        var quarantinePrefix = "/" + string.Join('/', CleanSegments(StorageDirectories.Tmp(root))) + "/" +
            StorageDirectories.QuarantinePrefix(relativePath);
        return joined.StartsWith(quarantinePrefix, StringComparison.Ordinal) && joined.Length > quarantinePrefix.Length ? joined : null;
    }

    /// <summary>
    /// Longest path component accepted: filesystems allow 255 bytes, and the repository's lock file
    /// (<c>&lt;name&gt;.lock</c>) must fit too.
    /// </summary>
    public const int MaxComponentBytes = 250;

    private static bool HasOverlongComponent(string path)
    {
        foreach (var range in path.AsSpan().Split('/'))
        {
            var part = path.AsSpan(range);

            // A UTF-8 encoding takes at most three bytes per UTF-16 unit, so most components need no counting.
            if (part.Length * 3 > MaxComponentBytes && System.Text.Encoding.UTF8.GetByteCount(part) > MaxComponentBytes)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// NOT_FOUND when the folder is missing (or, given <paramref name="storageRoot"/>, the storage), FAILED_PRECONDITION
    /// when it is not a git repository. The entries are looked at first: a repository that has them all is answered
    /// with three stats, and the folders above are looked at only to word a refusal.
    /// </summary>
    public static void ValidateRepository(string fullPath, string? storageRoot = null)
    {
        if (IsRepository(fullPath))
        {
            return;
        }

        if (storageRoot is not null)
        {
            EnsureStorageExists(storageRoot);
        }

        if (!Directory.Exists(fullPath))
        {
            throw LodeException.NotFound("repository not found").With("repository_path", fullPath);
        }

        foreach (var entry in RepositoryEntries)
        {
            if (!EntryExists(Path.Combine(fullPath, entry), entry))
            {
                throw LodeException.FailedPrecondition($"repository not valid: \"{entry}\" does not exist").With("repository_path", fullPath);
            }
        }
    }

    /// <summary>True when <c>objects</c>, <c>refs</c> and <c>HEAD</c> are all there: three stats.</summary>
    public static bool IsRepository(string fullPath)
    {
        foreach (var entry in RepositoryEntries)
        {
            if (!EntryExists(Path.Combine(fullPath, entry), entry))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly string[] RepositoryEntries = ["objects", "refs", "HEAD"];

    private static bool EntryExists(string path, string entry) =>
        entry == "HEAD" ? File.Exists(path) || Directory.Exists(path) : Directory.Exists(path) || File.Exists(path);

    /// <summary>
    /// Lexically joins and cleans, as Go's filepath.Join does; returns null unless the result is the base itself
    /// or under it. As in Gitaly, a leading '/' is not rejected (it is joined), ".." that ends up inside is
    /// fine, and symlinks are not resolved (the storage layout is the server's, not the client's).
    /// </summary>
    public static string? JoinInside(string baseDir, string relative)
    {
        if (relative.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        // The usual request: a clean base and a plain relative path, which cleaning would leave as they are.
        if (IsClean(baseDir, absolute: true) && IsClean(relative, absolute: false))
        {
            return baseDir == "/" ? "/" + relative : baseDir + "/" + relative;
        }

        var cleanBase = "/" + string.Join('/', CleanSegments(baseDir));
        var joined = "/" + string.Join('/', CleanSegments(baseDir + "/" + relative));
        if (joined == cleanBase)
        {
            return cleanBase;
        }

        var prefix = cleanBase == "/" ? "/" : cleanBase + "/";
        return joined.StartsWith(prefix, StringComparison.Ordinal) ? joined : null;
    }

    /// <summary>
    /// True when cleaning would not change <paramref name="path"/>: no empty, <c>.</c> or <c>..</c> segment, no trailing
    /// slash; absolute paths start with one slash ("/" itself is clean), relative ones with none.
    /// </summary>
    private static bool IsClean(string path, bool absolute)
    {
        if (absolute)
        {
            if (path == "/")
            {
                return true;
            }

            if (path.Length < 2 || path[0] != '/')
            {
                return false;
            }

            path = path[1..];
        }

        if (path.Length == 0)
        {
            return false;
        }

        foreach (var range in path.AsSpan().Split('/'))
        {
            var segment = path.AsSpan(range);
            if (segment.IsEmpty || segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    private static List<string> CleanSegments(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            stack.Add(part);
        }

        return stack;
    }
}
