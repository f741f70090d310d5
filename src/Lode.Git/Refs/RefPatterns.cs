namespace Lode.Git.Refs;

/// <summary>
/// How git selects refs by pattern, for patterns Lode must apply itself: a pattern that is not valid UTF-8 cannot
/// be passed as a process argument, so git lists more and Lode filters with the same rules.
/// </summary>
public static class RefPatterns
{
    /// <summary>
    /// <c>for-each-ref</c>'s rule (ref-filter.c <c>match_name_as_path</c>): the pattern equals the ref name or a
    /// prefix of it that ends at a '/', or it matches as a glob where '*' does not cross '/'.
    /// </summary>
    public static bool MatchesForEachRef(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> refName)
    {
        if (pattern.IsEmpty)
        {
            return false;
        }

        if (pattern.Length <= refName.Length && refName.StartsWith(pattern) &&
            (pattern.Length == refName.Length || refName[pattern.Length] == '/' || pattern[^1] == '/'))
        {
            return true;
        }

        return Wildmatch.IsMatch(pattern, refName, WildmatchFlags.PathName);
    }

    /// <summary>True when any pattern selects the ref; an empty list selects every ref, as in git.</summary>
    public static bool MatchesAnyForEachRef(IReadOnlyList<ReadOnlyMemory<byte>> patterns, ReadOnlySpan<byte> refName)
    {
        if (patterns.Count == 0)
        {
            return true;
        }

        foreach (var pattern in patterns)
        {
            if (MatchesForEachRef(pattern.Span, refName))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The rule of <c>git tag -l</c> and <c>git branch -l</c> (ref-filter.c <c>match_pattern</c>): the first of
    /// <c>refs/tags/</c>, <c>refs/heads/</c>, <c>refs/remotes/</c>, <c>refs/</c> is cut off and the rest must match
    /// the glob as a whole, '*' crossing '/'.
    /// </summary>
    public static bool MatchesListPattern(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> refName)
    {
        if (refName.StartsWith("refs/tags/"u8))
        {
            refName = refName["refs/tags/".Length..];
        }
        else if (refName.StartsWith("refs/heads/"u8))
        {
            refName = refName["refs/heads/".Length..];
        }
        else if (refName.StartsWith("refs/remotes/"u8))
        {
            refName = refName["refs/remotes/".Length..];
        }
        else if (refName.StartsWith("refs/"u8))
        {
            refName = refName["refs/".Length..];
        }

        return Wildmatch.IsMatch(pattern, refName, WildmatchFlags.None);
    }
}
