using System.Diagnostics;
using System.Text;

namespace Lode.EndToEnd.Tests;

/// <summary>
/// Runs the git client as a user would, in a working folder, with host and user config shut out and a fixed
/// identity. Each run is bounded so a hung transport fails the test instead of the suite.
/// </summary>
public static class Git
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static async Task<GitRun> RunAsync(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        psi.Environment["GIT_AUTHOR_NAME"] = "Jane Doe";
        psi.Environment["GIT_AUTHOR_EMAIL"] = "jane@example.com";
        psi.Environment["GIT_COMMITTER_NAME"] = "Jane Doe";
        psi.Environment["GIT_COMMITTER_EMAIL"] = "jane@example.com";
        psi.Environment["LANG"] = "C";
        psi.Environment.Remove("GIT_SSH_COMMAND");
        psi.Environment.Remove("GIT_SSH_VARIANT");
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"git {string.Join(' ', args)} did not finish in {Limit}: {await stderr}");
        }

        return new GitRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and requires success; returns stdout without its final newline.</summary>
    public static async Task<string> OkAsync(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        (await RunAsync(workDir, env, args)).Check().Stdout.TrimEnd('\n');

    /// <summary>Commits a file change in the work tree <paramref name="dir"/> and returns the new commit.</summary>
    public static async Task<string> CommitFileAsync(string dir, string file, string content, string message)
    {
        var path = Path.Combine(dir, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content, Encoding.UTF8);
        await OkAsync(dir, null, "add", "--", file);
        await OkAsync(dir, null, "commit", "-q", "-m", message);
        return await OkAsync(dir, null, "rev-parse", "HEAD");
    }
}
