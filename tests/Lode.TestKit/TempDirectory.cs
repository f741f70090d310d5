namespace Lode.TestKit;

/// <summary>A folder under the system temp dir that is deleted when disposed; every test writes only inside its own.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "lode-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // A server under test may still hold a file open for a moment; temp is swept by the OS.
        }
    }
}
