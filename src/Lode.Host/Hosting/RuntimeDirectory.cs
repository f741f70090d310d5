namespace Lode.Host.Hosting;

/// <summary>
/// The per-process runtime folder (spec §1.2): <c>&lt;runtime_dir&gt;/lode-&lt;pid&gt;</c>, or a fresh temp folder when
/// <c>runtime_dir</c> is unset. It holds the internal socket (<c>sock.d/intern</c>) and, later, the hooks. Only
/// this process may enter it (0700).
/// </summary>
internal sealed class RuntimeDirectory : IDisposable
{
    private RuntimeDirectory(string path)
    {
        Path = path;
        SocketDirectory = System.IO.Path.Combine(path, "sock.d");
        Directory.CreateDirectory(SocketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(HooksPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path { get; }

    public string SocketDirectory { get; }

    /// <summary>The folder git's <c>core.hooksPath</c> points at: one entry per hook name.</summary>
    public string HooksPath => System.IO.Path.Combine(Path, "hooks");

    /// <summary>The internal socket hooks and helpers call back on.</summary>
    public string InternalSocketPath => System.IO.Path.Combine(SocketDirectory, "intern");

    public static RuntimeDirectory Create(string? runtimeDir)
    {
        string path;
        if (string.IsNullOrEmpty(runtimeDir))
        {
            path = Directory.CreateTempSubdirectory("lode-").FullName;
        }
        else
        {
            path = System.IO.Path.Combine(runtimeDir, "lode-" + Environment.ProcessId);

            // A folder of this name is left over from an earlier process with our pid: nothing in it is ours.
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }

            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var runtime = new RuntimeDirectory(path);

        // Unix socket paths are limited to 107 bytes; say so clearly instead of failing obscurely at bind time.
        if (System.Text.Encoding.UTF8.GetByteCount(runtime.InternalSocketPath) > 107)
        {
            throw new InvalidOperationException($"internal socket path \"{runtime.InternalSocketPath}\" is too long: socket path likely too long, use a shorter runtime_dir");
        }

        return runtime;
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
        catch (IOException)
        {
            // Best effort: a stale folder is removed by the next process with this pid or the OS temp cleaner.
        }
    }
}
