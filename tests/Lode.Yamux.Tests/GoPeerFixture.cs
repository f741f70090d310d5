using System.Diagnostics;

namespace Lode.Yamux.Tests;

/// <summary>
/// Builds interop/yamuxpeer.go against Debian's hashicorp/yamux (golang-github-hashicorp-yamux-dev) once per test
/// class. <see cref="Binary"/> is null, and <see cref="Missing"/> says why, when Go or the library is not installed.
/// </summary>
public sealed class GoPeerFixture : IDisposable
{
    private const string YamuxSource = "/usr/share/gocode/src/github.com/hashicorp/yamux";
    private readonly DirectoryInfo? workDir;

    public GoPeerFixture()
    {
        var go = FindOnPath("go");
        if (go is null || !Directory.Exists(YamuxSource))
        {
            Missing = "go and/or golang-github-hashicorp-yamux-dev not installed (apt-get install golang-go golang-github-hashicorp-yamux-dev)";
            return;
        }

        workDir = Directory.CreateTempSubdirectory("lode-yamux-interop-");
        var binary = Path.Combine(workDir.FullName, "yamuxpeer");
        var start = new ProcessStartInfo(go)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir.FullName,
        };
        start.ArgumentList.Add("build");
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(binary);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "interop", "yamuxpeer.go"));

        // GOPATH mode against the Debian source tree; nothing may be fetched.
        start.Environment["GOPATH"] = "/usr/share/gocode";
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOFLAGS"] = "";
        start.Environment["GOPROXY"] = "off";
        start.Environment["GOCACHE"] = Path.Combine(workDir.FullName, "cache");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("go build timed out");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("go build failed: " + stderr.Result);
        }

        Binary = binary;
    }

    public string? Binary { get; }

    public string? Missing { get; }

    public void Dispose()
    {
        try
        {
            workDir?.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
