using Gitaly;
using Lode.Git.Commands;

namespace Lode.Server.Conversions;

/// <summary>
/// Applies a request's <c>GlobalOptions</c> to a git command, as Gitaly's <c>ConvertGlobalOptions</c> does.
/// <c>literal_pathspecs</c> is git's <c>--literal-pathspecs</c>, given here through its environment variable
/// (<c>GIT_LITERAL_PATHSPECS=1</c>, the same switch) since global flags come before the subcommand.
/// </summary>
public static class GlobalOptionsConverter
{
    public static GitCommandBuilder WithGlobalOptions(this GitCommandBuilder command, GlobalOptions? options)
    {
        if (options?.LiteralPathspecs == true)
        {
            command.Env("GIT_LITERAL_PATHSPECS", "1");
        }

        return command;
    }
}
