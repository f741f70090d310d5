namespace Lode.Core.Tests;

/// <summary>
/// A folder under the system temp dir, deleted when disposed. Lode.Core.Tests keeps its own copy instead of
/// referencing Lode.TestKit so that it builds with Lode.Core alone.
/// </summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("lode-core-test-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates a folder (and its parents) inside this one and returns its full path.</summary>
    public string Dir(params string[] parts) => Directory.CreateDirectory(Combine(parts)).FullName;

    /// <summary>Writes a file inside this one (creating parents) and returns its full path.</summary>
    public string File(string relativePath, string content = "")
    {
        var path = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Every entry under this folder, relative and sorted: compared before and after an operation to prove it wrote nothing.</summary>
    public IReadOnlyList<string> Snapshot()
    {
        var entries = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories))
        {
            entries.Add(System.IO.Path.GetRelativePath(Path, entry));
        }

        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
