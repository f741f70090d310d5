using System.CommandLine;
using Lode.Host.Cli;

// lode: a Gitaly-compatible Git storage server. One executable, several subcommands.

// git runs `lode ssh` with ssh's arguments (-o, -p, -G, host, remote command), which are not ours to parse.
if (args is ["ssh", ..])
{
    return await SshCommand.RunAsync(args[1..], CancellationToken.None);
}

// git runs `lode hooks <hook> …` (through the runtime hooks folder) with arguments that are not ours to parse either.
if (args is ["hooks", var hook, .. var hookArgs])
{
    return Lode.Hooks.HookRunner.Run(hook, hookArgs);
}

// git runs `lode lfs-smudge` as a long-running filter process while GetArchive includes LFS objects.
if (args is ["lfs-smudge"])
{
    return await LfsSmudgeCommand.RunAsync();
}

var root = new RootCommand("Lode: a Git storage server that speaks Gitaly's gRPC protocol")
{
    ServeCommand.Create(),
    ConfigurationCommand.Create(),
    SshCommand.Create(),
    CheckCommand.Create(),
    HooksCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync(error.Message);
    }

    // Usage errors exit 2, as gitaly's.
    return 2;
}

// Signals are the server host's to handle (graceful stop), not the parser's.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
