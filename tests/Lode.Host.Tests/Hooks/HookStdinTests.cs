using System.Text;
using Lode.TestKit;
using Lode.TestKit.Fixtures;

namespace Lode.Host.Tests.Hooks;

/// <summary>
/// <c>lode hooks pre-receive</c> (the same code as the NativeAOT lode-hooks) against a real server: git's stdin reaches
/// the repository's custom hook byte for byte, whether it fits the first chunk (sent with the call's opening) or
/// spans many (streamed from a thread while the response is read).
/// </summary>
public sealed class HookStdinTests(UnixSocketServerFixture server) : IClassFixture<UnixSocketServerFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2_000)]
    public async Task PreReceive_StdinOfAnySize_ReachesTheCustomHookWhole(int refs)
    {
        var repo = await server.CreateRepoAsync();
        var hooks = Directory.CreateDirectory(Path.Combine(repo.Path, "custom_hooks"));
        var hook = Path.Combine(hooks.FullName, "pre-receive");
        await File.WriteAllTextAsync(hook, "#!/bin/sh\nsha256sum | cut -c1-64\necho done >&2\n");
        File.SetUnixFileMode(hook, (UnixFileMode)0x1ED);
        var stdin = new StringBuilder();
        for (var i = 0; i < refs; i++)
        {
            stdin.Append(repo.ZeroOid).Append(' ').Append(new string('1', 40)).Append(" refs/heads/branch-").Append(i).Append('\n');
        }

        var payload = $$"""
            {"requested_hooks":0,"repository":"{\"storageName\":\"default\",\"relativePath\":\"{{repo.RelativePath}}\"}","object_format":"sha1",
             "runtime_dir":"{{server.Root.Path}}","internal_socket":"{{server.Endpoints.InternalSocket}}","internal_socket_token":"{{TokenServerFixture.Token}}"}
            """;
        using var lode = LodeProcess.Start(["hooks", "pre-receive"], repo.Path,
            new Dictionary<string, string> { ["GITALY_HOOKS_PAYLOAD"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)) }, stdin.ToString());
        var exitCode = await lode.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, lode.Stderr);
        Assert.True(stdin.Length > 32 * 1024 == refs > 1, "one case fits the first chunk, the other does not");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(stdin.ToString()))), lode.Stdout.Trim());
        Assert.Contains("done", lode.Stderr, StringComparison.Ordinal);
    }
}
