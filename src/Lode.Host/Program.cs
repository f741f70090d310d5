using System.CommandLine;
using Lode.Host.Cli;

// lode: a Gitaly-compatible Git storage server. One executable, several subcommands.
var root = new RootCommand("Lode: a Git storage server that speaks Gitaly's gRPC protocol")
{
    ServeCommand.Create(),
    ConfigurationCommand.Create(),
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
