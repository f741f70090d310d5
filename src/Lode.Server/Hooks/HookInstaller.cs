using System.Runtime.InteropServices;
using System.Text;

namespace Lode.Server.Hooks;

/// <summary>
/// Fills the runtime hooks folder (git's <c>core.hooksPath</c>) at startup with one entry per hook name (spec §1.2,
/// §8.1). With the NativeAOT <c>lode-hooks</c> executable in <c>bin_dir</c> each entry is a symlink to it (it
/// dispatches on its name, like <c>gitaly-hooks</c>); without it (a development tree, <c>dotnet test</c>) each entry is
/// a small shell script running <c>lode hooks &lt;name&gt;</c>, which runs the same code in the main executable, only
/// with the runtime's start-up time.
/// </summary>
public static class HookInstaller
{
    /// <summary>The name of the hooks executable in <c>bin_dir</c>.</summary>
    public const string ExecutableName = "lode-hooks";

    /// <summary>The hooks git runs for Lode.</summary>
    public static readonly IReadOnlyList<string> HookNames = ["pre-receive", "update", "post-receive", "reference-transaction"];

    /// <summary>The payload bit of each of <see cref="HookNames"/>, in the same order.</summary>
    private static readonly RequestedHooks[] HookBits =
        [RequestedHooks.PreReceive, RequestedHooks.Update, RequestedHooks.PostReceive, RequestedHooks.ReferenceTransaction];

    /// <summary>The four hook bits, the set <see cref="HookNames"/> installs in the main folder.</summary>
    public const RequestedHooks AllHooks = RequestedHooks.ReceivePack;

    /// <summary>
    /// The folder holding only the hooks of <paramref name="hooks"/>: the main folder for all four, else
    /// <c>&lt;hooks&gt;.d/&lt;bits&gt;</c>. git skips a hook that is not there without starting anything, which is how a push
    /// avoids starting hooks that would have nothing to do.
    /// </summary>
    public static string SubsetPath(string hooksPath, RequestedHooks hooks)
    {
        var bits = hooks & AllHooks;
        return bits == AllHooks ? hooksPath : Path.Combine(hooksPath + ".d", ((int)bits).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Creates the entries, in the main folder and in one folder per subset of the hooks (see <see cref="SubsetPath"/>),
    /// and returns what they start: the hooks executable's path, or the fallback command line.
    /// <paramref name="lodeAssembly"/> is the main executable's assembly (<c>lode.dll</c>), run through the dotnet
    /// host; empty for a single-file <c>lode</c>, which is then run itself.
    /// </summary>
    public static string Install(string hooksPath, string? binDir, string lodeAssembly)
    {
        var executable = HooksExecutable(binDir);
        var useExecutable = executable is not null;
        var command = executable ?? MainExecutableCommand(lodeAssembly);
        for (var bits = 0; bits <= (int)AllHooks; bits++)
        {
            var folder = SubsetPath(hooksPath, (RequestedHooks)bits);
            Directory.CreateDirectory(folder);
            for (var i = 0; i < HookNames.Count; i++)
            {
                var entry = Path.Combine(folder, HookNames[i]);
                File.Delete(entry);
                if ((bits & (int)HookBits[i]) == 0)
                {
                    continue;
                }

                if (useExecutable)
                {
                    File.CreateSymbolicLink(entry, executable!);
                }
                else
                {
                    File.WriteAllText(entry, $"#!/bin/sh\nexec {command} hooks {HookNames[i]} \"$@\"\n", new UTF8Encoding(false));
                    File.SetUnixFileMode(entry, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
        }

        return command;
    }

    /// <summary>
    /// What git runs, through the shell, as <c>uploadpack.packObjectsHook</c>: the hooks executable, or the main
    /// executable's <c>hooks</c> command. git appends <c>git pack-objects …</c>.
    /// </summary>
    public static string PackObjectsHookCommand(string? binDir, string lodeAssembly)
    {
        return HooksExecutable(binDir) is { } executable ? Quote(executable) : MainExecutableCommand(lodeAssembly) + " hooks";
    }

    /// <summary>The NativeAOT hooks executable in <paramref name="binDir"/>, when it is there and executable.</summary>
    private static string? HooksExecutable(string? binDir)
    {
        var executable = string.IsNullOrEmpty(binDir) ? null : Path.Combine(binDir, ExecutableName);
        return executable is not null && IsExecutable(executable) ? executable : null;
    }

    /// <summary>How the shell scripts start the main executable: the dotnet host with <c>lode.dll</c>, or <c>lode</c> itself.</summary>
    public static string MainExecutableCommand(string lodeAssembly)
    {
        if (string.IsNullOrEmpty(lodeAssembly))
        {
            return Quote(Environment.ProcessPath ?? "lode");
        }

        return Quote(DotnetHost()) + " " + Quote(lodeAssembly);
    }

    /// <summary>
    /// The dotnet host by absolute path: git runs hooks with a clean environment, so neither PATH lookups nor
    /// DOTNET_ROOT can be relied on.
    /// </summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ holds the runtime; the host is <root>/dotnet.
        var runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');
        var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(runtime)));
        if (root is not null && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>Single-quotes for sh: the paths come from the filesystem and may hold spaces.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
