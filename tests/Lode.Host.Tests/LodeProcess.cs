using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Lode.Host.Tests;

/// <summary>
/// The real <c>lode</c> executable, built next to this test assembly, run as a child process (<c>dotnet lode.dll …</c>)
/// with captured output. Disposal kills it if it is still running, so no test leaves a server behind.
/// </summary>
internal sealed class LodeProcess : IDisposable
{
    /// <summary>Variables of the test process that would change what lode does; children start without them.</summary>
    private static readonly string[] ScrubbedEnvironment =
    [
        "LODE_AUTH_TOKEN", "LODE_LISTEN_ADDR", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS",
        "GITALY_LOG_REQUEST_METHOD_DENY_PATTERN", "GITALY_LOG_REQUEST_METHOD_ALLOW_PATTERN",
    ];

    private readonly Process process;
    private readonly List<string> stdout = [];
    private readonly List<string> stderr = [];
    private readonly Task pumps;

    private LodeProcess(Process process)
    {
        this.process = process;
        Id = process.Id;
        pumps = Task.WhenAll(PumpAsync(process.StandardOutput, stdout), PumpAsync(process.StandardError, stderr));
    }

    public static string LodeDll => Path.Combine(AppContext.BaseDirectory, "lode.dll");

    public int Id { get; }

    public bool HasExited => process.HasExited;

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (stdout)
            {
                return [.. stdout];
            }
        }
    }

    public string Stdout => string.Join('\n', StdoutLines);

    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return string.Join('\n', stderr);
            }
        }
    }

    public static LodeProcess Start(IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null,
        string? stdin = null)
    {
        Assert.True(File.Exists(LodeDll), "lode.dll is not next to the test assembly: " + LodeDll);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(LodeDll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var name in ScrubbedEnvironment)
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var lode = new LodeProcess(process);
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        return lode;
    }

    /// <summary>Runs a short command to completion and returns its exit code and output.</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, string? stdin, params string[] args)
    {
        using var lode = Start(args, workingDirectory, stdin: stdin);
        var exitCode = await lode.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return new CliResult(exitCode, lode.Stdout, lode.Stderr);
    }

    /// <summary>Waits for the process to end and for all its output to be read; fails the test on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            await pumps.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"lode (pid {Id}) did not exit within {timeout.TotalSeconds} s.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        return process.ExitCode;
    }

    /// <summary>
    /// Waits until this process says it listens on <paramref name="port"/> and the port accepts TCP connections;
    /// fails if the process exits first. The log line guards against reaching another test's server on a reused port.
    /// </summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var listening = "listening at tcp address 127.0.0.1:" + port;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await pumps.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Fail($"lode exited with {process.ExitCode} before listening on {port}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            }

            if (!Stdout.Contains(listening, StringComparison.Ordinal))
            {
                await Task.Delay(100);
                continue;
            }

            using var client = new TcpClient();
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port, attempt.Token);
                return;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail($"lode did not listen on {port} within {timeout.TotalSeconds} s.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Sends SIGTERM, as an init system stopping the service would. Process has no signal API, so kill(1) does it.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private static async Task PumpAsync(StreamReader reader, List<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }
}
