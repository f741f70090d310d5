using System.CommandLine;
using Lode.Hooks;

namespace Lode.Host.Cli;

/// <summary>
/// <c>lode hooks &lt;hook&gt; [args…]</c>: runs a git hook exactly as the <c>lode-hooks</c> executable does (same code),
/// for installs without that NativeAOT binary. The runtime hooks folder then holds scripts that call this.
/// </summary>
internal static class HooksCommand
{
    public static Command Create()
    {
        var hook = new Argument<string>("hook") { Description = "pre-receive, update, post-receive or reference-transaction" };
        var arguments = new Argument<string[]>("args") { Description = "the arguments git passed to the hook", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("hooks", "Run a git hook (called by git through the runtime hooks folder)") { hook, arguments };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => HookRunner.Run(parse.GetValue(hook)!, [.. parse.GetValue(arguments) ?? [], .. parse.UnmatchedTokens]));
        return command;
    }
}
