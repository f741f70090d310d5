using System.Text;
using Lode.Git.Hooks;

namespace Lode.Git.Tests.Hooks;

public sealed class CustomHookRunnerTests
{
    private static void WriteHook(string path, string script, UnixFileMode mode = (UnixFileMode)0x1ED)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, mode);
    }

    [Fact]
    public async Task Find_RepositoryThenFolderThenGlobal_OnlyExecutablesInNameOrder()
    {
        await using var harness = await GitHarness.CreateAsync();
        var repo = await harness.CreateRepoAsync();
        var global = harness.Temp.Combine("global");
        var hooks = Path.Combine(repo.Path, "custom_hooks");
        WriteHook(Path.Combine(hooks, "pre-receive"), "#!/bin/sh\n");
        WriteHook(Path.Combine(hooks, "pre-receive.d", "20-second"), "#!/bin/sh\n");
        WriteHook(Path.Combine(hooks, "pre-receive.d", "10-first"), "#!/bin/sh\n");
        WriteHook(Path.Combine(hooks, "pre-receive.d", "10-first~"), "#!/bin/sh\n");
        WriteHook(Path.Combine(hooks, "pre-receive.d", "plain"), "#!/bin/sh\n", (UnixFileMode)0x1A4);
        Directory.CreateDirectory(Path.Combine(hooks, "pre-receive.d", "a-folder"));
        File.CreateSymbolicLink(Path.Combine(hooks, "pre-receive.d", "30-dangling"), "/nonexistent/hook");
        WriteHook(Path.Combine(global, "pre-receive.d", "global"), "#!/bin/sh\n");
        WriteHook(Path.Combine(global, "update.d", "other"), "#!/bin/sh\n");

        var found = CustomHooks.Find(repo.Path, "pre-receive", global);

        Assert.Equal(
        [
            Path.Combine(hooks, "pre-receive"),
            Path.Combine(hooks, "pre-receive.d", "10-first"),
            Path.Combine(hooks, "pre-receive.d", "20-second"),
            Path.Combine(global, "pre-receive.d", "global"),
        ], found);
        Assert.Empty(CustomHooks.Find(repo.Path, "post-receive", null));
    }

    [Fact]
    public async Task Run_FirstFailureStops_OutputRelayedAndEnvironmentExact()
    {
        await using var harness = await GitHarness.CreateAsync();
        var repo = await harness.CreateRepoAsync();
        var marker = harness.Temp.Combine("third-ran");
        WriteHook(harness.Temp.Combine("h", "1"), "#!/bin/sh\necho \"one $1 $MY_VAR $(pwd)\"\ncat\n");
        WriteHook(harness.Temp.Combine("h", "2"), "#!/bin/sh\necho oops >&2\nexit 4\n");
        WriteHook(harness.Temp.Combine("h", "3"), $"#!/bin/sh\ntouch '{marker}'\n");
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();

        var failure = await new CustomHookRunner(harness.Factory).RunAsync(
            [harness.Temp.Combine("h", "1"), harness.Temp.Combine("h", "2"), harness.Temp.Combine("h", "3")],
            repo.Path, ["arg"], new Dictionary<string, string> { ["MY_VAR"] = "value", ["PATH"] = "/usr/bin:/bin" }, "input\n"u8.ToArray(),
            data => { stdout.Write(data.Span); return ValueTask.CompletedTask; },
            data => { stderr.Write(data.Span); return ValueTask.CompletedTask; },
            harness.Token);

        Assert.NotNull(failure);
        Assert.Equal(4, failure.ExitCode);
        Assert.Equal(harness.Temp.Combine("h", "2"), failure.Hook);
        Assert.Equal($"one arg value {repo.Path}\ninput\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("oops\n", Encoding.UTF8.GetString(stderr.ToArray()));
        Assert.False(File.Exists(marker));
        harness.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task Run_HookIgnoresStdin_StillSucceeds()
    {
        await using var harness = await GitHarness.CreateAsync();
        var repo = await harness.CreateRepoAsync();
        WriteHook(harness.Temp.Combine("quick"), "#!/bin/sh\nexit 0\n");

        var failure = await new CustomHookRunner(harness.Factory).RunAsync([harness.Temp.Combine("quick")], repo.Path, [],
            new Dictionary<string, string>(), new byte[4 * 1024 * 1024], _ => ValueTask.CompletedTask, _ => ValueTask.CompletedTask, harness.Token);

        Assert.Null(failure);
    }

    [Fact]
    public async Task Run_BadInterpreter_FailureWithoutExitCode()
    {
        await using var harness = await GitHarness.CreateAsync();
        var repo = await harness.CreateRepoAsync();
        WriteHook(harness.Temp.Combine("broken"), "#!/nonexistent/interpreter\n");

        var failure = await new CustomHookRunner(harness.Factory).RunAsync([harness.Temp.Combine("broken")], repo.Path, [],
            new Dictionary<string, string>(), default, _ => ValueTask.CompletedTask, _ => ValueTask.CompletedTask, harness.Token);

        Assert.NotNull(failure);
        Assert.Null(failure.ExitCode);
        Assert.StartsWith("error executing \"", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("0000000000000000000000000000000000000000 0000000000000000000000000000000000000000 refs/heads/a\n", true)]
    [InlineData("0000000000000000000000000000000000000000 0000000000000000000000000000000000000000 refs/heads/a\n" +
                "0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 refs/heads/b\n", false)]
    [InlineData("1111111111111111111111111111111111111111 0000000000000000000000000000000000000000 refs/heads/a\n", false)]
    public void IsForceDeletionsOnly_Lines_AsGitaly(string changes, bool expected)
    {
        Assert.Equal(expected, ReferenceTransactionChanges.IsForceDeletionsOnly(Encoding.ASCII.GetBytes(changes)));
    }
}
