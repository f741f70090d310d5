using System.Diagnostics;

namespace Lode.Benchmarks.Transport;

/// <summary>
/// The independent Go client of <c>shared/tools/gitaly-client.sh</c> in its <c>http-proxy</c> mode: it emulates
/// gitlab-workhorse, serving git's smart HTTP on loopback and calling the server over gRPC with a yamux backchannel,
/// so that a clone goes through <c>PostUploadPackWithSidechannel</c> and a push through <c>PostReceivePack</c>, as in
/// GitLab. It is a separate process started here and stopped by its pid.
/// </summary>
internal sealed class WorkhorseProxy : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task<string> stderr;

    private WorkhorseProxy(Process process, string address, Task<string> stderr)
    {
        this.process = process;
        this.stderr = stderr;
        Address = address;
    }

    /// <summary>Where git connects: <c>host:port</c>.</summary>
    public string Address { get; }

    /// <summary>
    /// The client script named by <c>--gitaly-client</c>, else <c>shared/tools/gitaly-client.sh</c> in the current
    /// folder or any folder above it, or beside the project checkout; null when there is none.
    /// </summary>
    public static string? Find(string? option)
    {
        if (option is not null)
        {
            return File.Exists(option) ? Path.GetFullPath(option) : null;
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "tools", "gitaly-client.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts the proxy in front of <paramref name="grpcAddress"/> (host:port) and waits for its listener.</summary>
    public static async Task<WorkhorseProxy> StartAsync(string script, string grpcAddress, string token, string addressFile,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["http-proxy", "--listen", "127.0.0.1:0", "--addr", "tcp://" + grpcAddress, "--token", token,
            "--storage", Support.InProcessLode.StorageName, "--addr-file", addressFile])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("gitaly-client did not start");
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        // The first start builds the client (a minute or more without its cache).
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            // The file is complete once its line ends.
            if (File.Exists(addressFile) && await File.ReadAllTextAsync(addressFile, cancellationToken) is { Length: > 1 } text && text.EndsWith('\n'))
            {
                return new WorkhorseProxy(process, text.Trim(), stderr);
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"gitaly-client http-proxy exited {process.ExitCode}: {await stderr}");
            }

            await Task.Delay(50, cancellationToken);
        }

        process.Kill();
        throw new TimeoutException("gitaly-client http-proxy did not write its address");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
        await stderr;
        process.Dispose();
    }
}
