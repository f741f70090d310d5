namespace Lode.Git.Housekeeping;

/// <summary>The object directories a repository borrows from, per <c>objects/info/alternates</c>.</summary>
/// <param name="ObjectDirectories">
/// The entries as written (trimmed): absolute, or relative to this repository's <c>objects</c> directory. Empty lines
/// and <c>#</c> comments are skipped, as git skips them.
/// </param>
/// <param name="LastModified">When the alternates file was last written.</param>
internal sealed record AlternatesStats(IReadOnlyList<string> ObjectDirectories, DateTimeOffset LastModified)
{
    /// <summary>Reads the alternates file below <paramref name="objectsPath"/>; null when there is none.</summary>
    public static AlternatesStats? Read(string objectsPath)
    {
        var path = Path.Combine(objectsPath, "info", "alternates");
        var file = new FileInfo(path);
        string text;
        try
        {
            // Stat before reading: a concurrent rewrite then yields a timestamp no newer than the content.
            if (!file.Exists)
            {
                return null;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (FileWalk.IsGone(e))
        {
            return null;
        }

        var directories = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var entry = line.Trim();
            if (entry.Length > 0 && entry[0] != '#')
            {
                directories.Add(entry);
            }
        }

        return new AlternatesStats(directories, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
    }
}
