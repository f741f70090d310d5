using System.Diagnostics;
using Gitaly;
using Google.Protobuf;
using Lode.TestKit;

namespace Lode.Server.Tests.EndToEnd;

/// <summary>Runs a real <c>git push</c> from a client repository; stdout and stderr come back together.</summary>
internal static class GitPush
{
    /// <summary>Through <c>lode ssh</c> as GIT_SSH_COMMAND (gitlab-shell's way: SSHReceivePack), as user-42 of project-1.</summary>
    public static Task<(int ExitCode, string Output)> OverLodeSshAsync(ServerFixture server, TestRepo client, TestRepo target, params string[] args)
    {
        var payload = JsonFormatter.Default.Format(new SSHReceivePackRequest
        {
            Repository = ServerFixture.Proto(target),
            GlId = "user-42",
            GlUsername = "jane",
            GlRepository = "project-1",
        });
        return RunAsync(client, ["push", "ssh://lode/" + target.RelativePath, .. args], new Dictionary<string, string>
        {
            ["GIT_SSH_COMMAND"] = "'" + Path.Combine(AppContext.BaseDirectory, "lode") + "' ssh",
            ["GIT_SSH_VARIANT"] = "simple",
            ["GITALY_ADDRESS"] = "tcp://" + server.Endpoints.Tcp,
            ["GITALY_PAYLOAD"] = payload,
        });
    }

    /// <summary>Over smart HTTP to <paramref name="url"/>.</summary>
    public static Task<(int ExitCode, string Output)> OverHttpAsync(TestRepo client, string url, params string[] args) =>
        RunAsync(client, ["push", url, .. args], []);

    private static async Task<(int ExitCode, string Output)> RunAsync(TestRepo client, string[] args, Dictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = client.Path,
        };
        psi.ArgumentList.Add("--git-dir=" + client.Path);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["LANG"] = "C";
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
