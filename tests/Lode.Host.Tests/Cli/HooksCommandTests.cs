using System.Text;
using Lode.TestKit;

namespace Lode.Host.Tests.Cli;

/// <summary><c>lode hooks &lt;name&gt;</c>, the hooks entry point git runs (the fallback of the NativeAOT <c>lode-hooks</c>).</summary>
public sealed class HooksCommandTests : IDisposable
{
    private readonly TempDirectory temp = new("lode-host-hooks-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task ReferenceTransaction_PreparingState_ExitsZeroWithoutCallingTheServer()
    {
        // The payload names a socket nobody listens on: any call would fail the hook with exit 1.
        var result = await RunAsync("reference-transaction", "preparing");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task ReferenceTransaction_UnknownState_ExitsOneAndSaysWhy()
    {
        var result = await RunAsync("reference-transaction", "pondering");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("reference-transaction hook has invalid state: \"pondering\"", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_ServerUnreachable_ExitsOne()
    {
        var result = await RunAsync("update", "refs/heads/main", new string('0', 40), new string('1', 40));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error when running update hook", result.Stderr, StringComparison.Ordinal);
    }

    private async Task<CliResult> RunAsync(params string[] args)
    {
        var payload = $$"""
            {"requested_hooks":0,"repository":"{\"storageName\":\"default\",\"relativePath\":\"r.git\"}","object_format":"sha1",
             "runtime_dir":"{{temp.Path}}","internal_socket":"{{temp.Combine("no.sock")}}","internal_socket_token":""}
            """;
        using var lode = LodeProcess.Start(["hooks", .. args], temp.Path,
            new Dictionary<string, string> { ["GITALY_HOOKS_PAYLOAD"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)) }, stdin: "");
        var exitCode = await lode.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return new CliResult(exitCode, lode.Stdout, lode.Stderr);
    }
}
