using System.Diagnostics;
using System.Text;

namespace Lode.TestKit;

/// <summary>
/// Runs the real git CLI for tests: the ground truth that RPC answers are compared with. Host and user git
/// config are shut out, and author/committer dates are fixed so object ids are reproducible.
/// </summary>
public static class GitCli
{
    public static async Task<byte[]> RunBytesAsync(string? gitDir, IEnumerable<string> args, byte[]? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, bool check = true, string? workDir = null)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? gitDir ?? Path.GetTempPath(),
        };
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_AUTHOR_NAME"] = "Jane Doe";
        psi.Environment["GIT_AUTHOR_EMAIL"] = "jane@example.com";
        psi.Environment["GIT_COMMITTER_NAME"] = "Jane Doe";
        psi.Environment["GIT_COMMITTER_EMAIL"] = "jane@example.com";
        psi.Environment["GIT_AUTHOR_DATE"] = "1700000000 +0100";
        psi.Environment["GIT_COMMITTER_DATE"] = "1700000000 +0100";
        psi.Environment["LANG"] = "C";
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }

        if (gitDir is not null)
        {
            psi.ArgumentList.Add("--git-dir=" + gitDir);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdoutTask = ReadAllAsync(process.StandardOutput.BaseStream);
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = await stdoutTask;
        var stderr = await stderrTask;
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}");
        }

        return stdout;
    }

    public static async Task<string> RunAsync(string? gitDir, params string[] args) =>
        Encoding.UTF8.GetString(await RunBytesAsync(gitDir, args)).TrimEnd('\n');

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.ToArray();
    }
}
