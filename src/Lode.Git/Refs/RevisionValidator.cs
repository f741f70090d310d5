using Lode.Core.Errors;

namespace Lode.Git.Refs;

/// <summary>
/// Gitaly's checks on a revision from a request, with its messages. A revision reaches git as a positional
/// argument or a line on stdin, so anything that could be read as an option or split a line is refused.
/// </summary>
public static class RevisionValidator
{
    /// <summary>Returns the problem with <paramref name="revision"/>, or null when it is acceptable.</summary>
    /// <param name="allowEmpty">An empty revision means "default" for some RPCs.</param>
    /// <param name="allowPathScoped">Allows <c>rev:path</c>; the path part may hold anything but NUL.</param>
    /// <param name="allowPseudo">Allows rev-list's <c>--all</c>, <c>--not</c>, <c>--branches[=]</c>, <c>--tags[=]</c>, <c>--glob=</c>.</param>
    public static string? Check(ReadOnlySpan<byte> revision, bool allowEmpty = false, bool allowPathScoped = false, bool allowPseudo = false)
    {
        if (allowPseudo && IsPseudoRevision(revision))
        {
            return null;
        }

        if (revision.StartsWith("-"u8))
        {
            return "revision can't start with '-'";
        }

        if (revision.Contains((byte)0))
        {
            return "revision can't contain NUL";
        }

        if (allowPathScoped)
        {
            var colon = revision.IndexOf((byte)':');
            if (colon >= 0)
            {
                revision = revision[..colon];
            }
        }

        if (!allowEmpty && revision.IsEmpty)
        {
            return "empty revision";
        }

        if (revision.IndexOfAny(" \t\n\r"u8) >= 0)
        {
            return "revision can't contain whitespace";
        }

        if (revision.Contains((byte)':'))
        {
            return "revision can't contain ':'";
        }

        return revision.Contains((byte)'\\') ? "revision can't contain '\\'" : null;
    }

    /// <summary>Throws INVALID_ARGUMENT with Gitaly's message when the revision is not acceptable.</summary>
    public static void Validate(ReadOnlySpan<byte> revision, bool allowEmpty = false, bool allowPathScoped = false, bool allowPseudo = false)
    {
        if (Check(revision, allowEmpty, allowPathScoped, allowPseudo) is { } problem)
        {
            throw LodeException.InvalidArgument(problem);
        }
    }

    private static bool IsPseudoRevision(ReadOnlySpan<byte> revision) =>
        revision.SequenceEqual("--all"u8) || revision.SequenceEqual("--not"u8) || revision.SequenceEqual("--branches"u8) ||
        revision.SequenceEqual("--tags"u8) || revision.StartsWith("--branches="u8) || revision.StartsWith("--tags="u8) ||
        revision.StartsWith("--glob="u8);
}
