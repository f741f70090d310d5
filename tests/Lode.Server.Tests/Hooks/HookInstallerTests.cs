using Lode.Server.Hooks;
using Lode.TestKit;

namespace Lode.Server.Tests.Hooks;

public sealed class HookInstallerTests : IDisposable
{
    private readonly TempDirectory temp = new("lode-hookinstall-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Install_HooksExecutableInBinDir_SymlinksToIt()
    {
        var bin = temp.Combine("bin");
        Directory.CreateDirectory(bin);
        var executable = Path.Combine(bin, "lode-hooks");
        File.WriteAllText(executable, "#!/bin/sh\n");
        File.SetUnixFileMode(executable, (UnixFileMode)0x1ED);

        var used = HookInstaller.Install(temp.Combine("hooks"), bin, "/opt/lode/lode.dll");

        Assert.Equal(executable, used);
        foreach (var name in HookInstaller.HookNames)
        {
            Assert.Equal(executable, new FileInfo(temp.Combine("hooks", name)).LinkTarget);
        }
    }

    [Fact]
    public async Task Install_NoHooksExecutable_ScriptsRunLodeHooks()
    {
        var bin = temp.Combine("empty-bin");
        Directory.CreateDirectory(bin);

        var used = HookInstaller.Install(temp.Combine("hooks"), bin, "/opt/my lode/lode.dll");

        Assert.EndsWith(" '/opt/my lode/lode.dll'", used, StringComparison.Ordinal);
        Assert.Equal(["post-receive", "pre-receive", "reference-transaction", "update"],
            Directory.GetFiles(temp.Combine("hooks")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var script = await File.ReadAllTextAsync(temp.Combine("hooks", "update"));
        Assert.StartsWith("#!/bin/sh\nexec '/", script, StringComparison.Ordinal);
        Assert.EndsWith("' '/opt/my lode/lode.dll' hooks update \"$@\"\n", script, StringComparison.Ordinal);
        Assert.NotEqual((UnixFileMode)0, File.GetUnixFileMode(temp.Combine("hooks", "update")) & UnixFileMode.UserExecute);
    }

    [Fact]
    public void Install_NotExecutableInBinDir_FallsBackToScripts()
    {
        var bin = temp.Combine("bin2");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "lode-hooks"), "not executable");
        File.SetUnixFileMode(Path.Combine(bin, "lode-hooks"), (UnixFileMode)0x1A4);

        HookInstaller.Install(temp.Combine("hooks"), bin, "/x/lode.dll");

        Assert.Null(new FileInfo(temp.Combine("hooks", "pre-receive")).LinkTarget);
    }

    [Fact]
    public void Install_EverySubsetOfHooks_HasItsOwnFolderWithOnlyThoseHooks()
    {
        var bin = temp.Combine("bin3");
        Directory.CreateDirectory(bin);
        var executable = Path.Combine(bin, "lode-hooks");
        File.WriteAllText(executable, "#!/bin/sh\n");
        File.SetUnixFileMode(executable, (UnixFileMode)0x1ED);
        var hooks = temp.Combine("hooks3");

        HookInstaller.Install(hooks, bin, "/x/lode.dll");

        Assert.Equal(hooks, HookInstaller.SubsetPath(hooks, RequestedHooks.ReceivePack));
        Assert.Equal(hooks, HookInstaller.SubsetPath(hooks, RequestedHooks.ReceivePack | RequestedHooks.PackObjects));
        Assert.Empty(Directory.GetFileSystemEntries(HookInstaller.SubsetPath(hooks, 0)));
        var preAndPost = HookInstaller.SubsetPath(hooks, RequestedHooks.PreReceive | RequestedHooks.PostReceive);
        Assert.Equal(["post-receive", "pre-receive"], Directory.GetFileSystemEntries(preAndPost).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(executable, new FileInfo(Path.Combine(preAndPost, "pre-receive")).LinkTarget);
        Assert.Equal(15, Directory.GetDirectories(hooks + ".d").Length);
    }
}
