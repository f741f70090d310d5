namespace Lode.Git.Hooks;

/// <summary>
/// What git's <c>reference-transaction</c> hook reads on stdin: lines <c>&lt;old&gt; &lt;new&gt; &lt;ref&gt;</c> (spec §5.6).
/// </summary>
public static class ReferenceTransactionChanges
{
    /// <summary>
    /// True when every line deletes a ref without checking its old value (<c>&lt;zero&gt; &lt;zero&gt; &lt;ref&gt;</c>), or
    /// there is no line at all. git deletes a ref from packed-refs in a separate transaction made only of such
    /// lines, whose content depends on how refs happen to be packed; it is not voted on, the loose-ref transaction
    /// that follows carries every update. Zero ids of SHA-1 and SHA-256 repositories are both recognised.
    /// </summary>
    public static bool IsForceDeletionsOnly(ReadOnlySpan<byte> changes)
    {
        foreach (var range in changes.Split((byte)'\n'))
        {
            var line = changes[range];
            if (line.IsEmpty)
            {
                continue;
            }

            if (!IsForceDeletion(line, 40) && !IsForceDeletion(line, 64))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsForceDeletion(ReadOnlySpan<byte> line, int hexLength)
    {
        var prefixLength = (2 * hexLength) + 2;
        if (line.Length < prefixLength || line[hexLength] != (byte)' ' || line[prefixLength - 1] != (byte)' ')
        {
            return false;
        }

        return line[..hexLength].IndexOfAnyExcept((byte)'0') < 0 && line[(hexLength + 1)..(2 * hexLength + 1)].IndexOfAnyExcept((byte)'0') < 0;
    }
}
