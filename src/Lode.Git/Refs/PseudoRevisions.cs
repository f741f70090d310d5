using Lode.Core.Errors;
using Lode.Git.Commands;

namespace Lode.Git.Refs;

/// <summary>
/// Passes revision lists that may hold rev-list's pseudo revisions (<c>--all</c>, <c>--not</c>, <c>--branches[=p]</c>,
/// <c>--tags[=p]</c>, <c>--glob=p</c>) to git in order. They cannot follow <c>--end-of-options</c> (git would take them
/// as revision names), and git 2.39 refuses them on <c>--stdin</c>, so they go on the command line; everything else
/// was validated not to start with a dash, so it cannot be read as an option either.
/// </summary>
public static class PseudoRevisions
{
    /// <summary>
    /// Appends <paramref name="revisions"/>, each checked with <see cref="RevisionValidator"/> (pseudo revisions and
    /// <c>rev:path</c> allowed): a pseudo revision becomes a flag, anything else a positional argument.
    /// </summary>
    public static GitCommandBuilder AddRevisions(this GitCommandBuilder command, IEnumerable<string> revisions)
    {
        foreach (var revision in revisions)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(revision);
            if (RevisionValidator.Check(bytes, allowPathScoped: true, allowPseudo: true) is { } problem)
            {
                throw LodeException.InvalidArgument("invalid revision: " + problem).With("revision", revision);
            }

            if (revision.StartsWith('-'))
            {
                command.Flag(revision);
            }
            else
            {
                command.Arg(revision);
            }
        }

        return command;
    }
}
