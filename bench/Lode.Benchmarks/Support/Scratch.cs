namespace Lode.Benchmarks.Support;

/// <summary>
/// A temporary folder for one benchmark run (storages, runtime folders, clones), removed at the end. The benchmark
/// repository is copied into it, so the server may write its storage metadata and pushes may change refs without
/// touching <c>bench/repos/</c>; both sides then read the very same copy.
/// </summary>
internal sealed class Scratch : IDisposable
{
    public Scratch(string prefix)
    {
        Root = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Root { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Copies the bare repository <paramref name="source"/> to <paramref name="destination"/> (a full copy, no links).</summary>
    public static void CopyRepository(string source, string destination)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(System.IO.Path.Combine(destination, System.IO.Path.GetRelativePath(source, directory)));
        }

        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, System.IO.Path.Combine(destination, System.IO.Path.GetRelativePath(source, file)));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not remove {Root}: {e.Message}");
        }
    }
}
