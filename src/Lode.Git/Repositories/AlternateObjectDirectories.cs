namespace Lode.Git.Repositories;

/// <summary>
/// The object directories a repository borrows from, followed as Gitaly's <c>git.AlternateObjectDirectories</c> does:
/// <c>objects/info/alternates</c> read recursively (at most 5 levels, git's limit), relative entries resolved against the
/// directory naming them, <c>#</c> comments and empty lines skipped, no quoting. Every entry must lie inside the storage;
/// one that does not is an error, a missing directory is skipped.
/// </summary>
public static class AlternateObjectDirectories
{
    private const int MaxDepth = 5;

    /// <summary>
    /// The absolute alternate object directories of the repository at <paramref name="repositoryPath"/>, outermost first,
    /// not including its own <c>objects</c>. Throws <see cref="InvalidDataException"/> for an entry outside
    /// <paramref name="storageRoot"/>, and IO errors as they come.
    /// </summary>
    public static List<string> Resolve(string storageRoot, string repositoryPath)
    {
        var storagePrefix = Path.TrimEndingDirectorySeparator(storageRoot) + "/";
        var directories = new List<string>();
        Collect(storagePrefix, Path.Combine(repositoryPath, "objects"), 0, directories);
        if (directories.Count > 0)
        {
            // The first is the repository's own object directory.
            directories.RemoveAt(0);
        }

        return directories;
    }

    private static void Collect(string storagePrefix, string objectDirectory, int depth, List<string> directories)
    {
        if (depth > MaxDepth || !Directory.Exists(objectDirectory))
        {
            return;
        }

        directories.Add(objectDirectory);
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(objectDirectory, "info", "alternates"));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var directory = Path.GetFullPath(Path.IsPathRooted(line) ? line : Path.Combine(objectDirectory, line));
            if (!directory.StartsWith(storagePrefix, StringComparison.Ordinal))
            {
                throw new InvalidDataException("alternate is outside the storage root: " + directory);
            }

            Collect(storagePrefix, directory, depth + 1, directories);
        }
    }
}
