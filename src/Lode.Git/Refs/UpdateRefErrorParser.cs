using System.Text;
using System.Text.RegularExpressions;

namespace Lode.Git.Refs;

/// <summary>
/// Recognises why <c>git update-ref --stdin</c> failed from its stderr, with the patterns Gitaly uses for the files
/// backend (updateref.go <c>parseStderr</c>), in Gitaly's order. Patterns match at the start of any line: hook
/// output may come before git's fatal line.
/// </summary>
public static partial class UpdateRefErrorParser
{
    /// <summary>
    /// The error git reported, or null when stderr matches no known pattern. Ref names in stderr are text; each is
    /// mapped back to the raw name sent in the transaction (<paramref name="sentReferences"/>) when one reads the
    /// same, so non-UTF-8 names come back byte-exact.
    /// </summary>
    public static RefTransactionException? Parse(string stderr, IReadOnlyList<byte[]> sentReferences)
    {
        Match m;
        if ((m = RefLocked().Match(stderr)).Success)
        {
            return New(RefTransactionErrorKind.ReferenceLocked, stderr, Name(m.Groups[2].Value, sentReferences));
        }

        if (PackedRefsLocked().IsMatch(stderr))
        {
            return New(RefTransactionErrorKind.PackedRefsLocked, stderr, []);
        }

        if ((m = InvalidFormat().Match(stderr)).Success)
        {
            return New(RefTransactionErrorKind.InvalidFormat, stderr, Name(m.Groups[1].Value, sentReferences));
        }

        if ((m = ReferenceExistsConflict().Match(stderr)).Success)
        {
            return new RefTransactionException(RefTransactionErrorKind.FileDirectoryConflict,
                RefTransactionException.MessageOf(RefTransactionErrorKind.FileDirectoryConflict), stderr)
            {
                ExistingReferenceName = Name(m.Groups[1].Value, sentReferences),
                ConflictingReferenceName = Name(m.Groups[2].Value, sentReferences),
                ReferenceName = Name(m.Groups[2].Value, sentReferences),
            };
        }

        if ((m = InTransactionConflict().Match(stderr)).Success)
        {
            return new RefTransactionException(RefTransactionErrorKind.InTransactionConflict,
                RefTransactionException.MessageOf(RefTransactionErrorKind.InTransactionConflict), stderr)
            {
                ExistingReferenceName = Name(m.Groups[1].Value, sentReferences),
                ConflictingReferenceName = Name(m.Groups[2].Value, sentReferences),
                ReferenceName = Name(m.Groups[1].Value, sentReferences),
            };
        }

        if ((m = NonExistentObject().Match(stderr)).Success)
        {
            return new RefTransactionException(RefTransactionErrorKind.NonExistentObject,
                RefTransactionException.MessageOf(RefTransactionErrorKind.NonExistentObject), stderr)
            {
                ReferenceName = Name(m.Groups[1].Value, sentReferences),
                ObjectId = m.Groups[2].Value,
            };
        }

        if ((m = NonCommitObject().Match(stderr)).Success)
        {
            return new RefTransactionException(RefTransactionErrorKind.NonCommitObject,
                RefTransactionException.MessageOf(RefTransactionErrorKind.NonCommitObject), stderr)
            {
                ReferenceName = Name(m.Groups[2].Value, sentReferences),
                ObjectId = m.Groups[1].Value,
            };
        }

        if ((m = MismatchingState().Match(stderr)).Success)
        {
            return new RefTransactionException(RefTransactionErrorKind.MismatchingState,
                RefTransactionException.MessageOf(RefTransactionErrorKind.MismatchingState), stderr)
            {
                ReferenceName = Name(m.Groups[1].Value, sentReferences),
                ActualObjectId = m.Groups[2].Value,
                ExpectedObjectId = m.Groups[3].Value,
            };
        }

        if ((m = ReferenceAlreadyExists().Match(stderr)).Success)
        {
            return New(RefTransactionErrorKind.ReferenceAlreadyExists, stderr, Name(m.Groups[1].Value, sentReferences));
        }

        if ((m = MultipleUpdates().Match(stderr)).Success)
        {
            return New(RefTransactionErrorKind.MultipleUpdates, stderr, Name(m.Groups[1].Value, sentReferences));
        }

        return null;
    }

    private static RefTransactionException New(RefTransactionErrorKind kind, string stderr, byte[] reference) =>
        new(kind, RefTransactionException.MessageOf(kind), stderr) { ReferenceName = reference };

    /// <summary>The raw bytes of the sent ref that reads as <paramref name="text"/>; its UTF-8 when none does.</summary>
    private static byte[] Name(string text, IReadOnlyList<byte[]> sentReferences)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        foreach (var sent in sentReferences)
        {
            if (sent.AsSpan().SequenceEqual(utf8))
            {
                return sent;
            }
        }

        foreach (var sent in sentReferences)
        {
            if (Encoding.UTF8.GetString(sent) == text)
            {
                return sent;
            }
        }

        return utf8;
    }

    [GeneratedRegex(@"^fatal: (prepare|commit): cannot lock ref '(.+?)': Unable to create '.*': File exists\.", RegexOptions.Multiline)]
    private static partial Regex RefLocked();

    [GeneratedRegex(@"(packed-refs\.lock': File exists\.$)|(packed-refs\.new: File exists$)", RegexOptions.Multiline)]
    private static partial Regex PackedRefsLocked();

    [GeneratedRegex(@"^fatal: invalid ref format: (.*)$", RegexOptions.Multiline)]
    private static partial Regex InvalidFormat();

    [GeneratedRegex(@"^fatal: .*: cannot lock ref '.*': '(.*)' exists; cannot create '(.*)'$", RegexOptions.Multiline)]
    private static partial Regex ReferenceExistsConflict();

    [GeneratedRegex(@"^fatal: .*: cannot lock ref '.*': cannot process '(.*)' and '(.*)' at the same time$", RegexOptions.Multiline)]
    private static partial Regex InTransactionConflict();

    [GeneratedRegex(@"^fatal: .*: cannot update ref '.*': trying to write ref '(.*)' with nonexistent object (.*)$", RegexOptions.Multiline)]
    private static partial Regex NonExistentObject();

    [GeneratedRegex(@"^fatal: .*: cannot update ref '.*': trying to write non-commit object (.*) to branch '(.*)'$", RegexOptions.Multiline)]
    private static partial Regex NonCommitObject();

    [GeneratedRegex(@"^fatal: .*: cannot lock ref '(.*)': is at (.*) but expected (.*)$", RegexOptions.Multiline)]
    private static partial Regex MismatchingState();

    [GeneratedRegex(@"^fatal: .*: cannot lock ref '(.*)': reference already exists$", RegexOptions.Multiline)]
    private static partial Regex ReferenceAlreadyExists();

    [GeneratedRegex(@"^fatal: .*: multiple updates for ref '(.*)' not allowed$", RegexOptions.Multiline)]
    private static partial Regex MultipleUpdates();
}
