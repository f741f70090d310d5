namespace Lode.Git.Objects;

/// <summary>
/// Go's <c>path</c> package (<c>Clean</c>, <c>Dir</c>, <c>Join</c>) on raw bytes. Gitaly builds tree entry paths
/// and parent directories with it, so the paths clients see (and the lookups that succeed or fail) depend on its
/// exact rules: <c>Join</c> cleans its result, <c>Dir</c> of a name without a slash is ".".
/// </summary>
public static class GitPath
{
    /// <summary>Go's <c>path.Clean</c>: the shortest equivalent path, "." for an empty one.</summary>
    public static byte[] Clean(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty)
        {
            return "."u8.ToArray();
        }

        var rooted = path[0] == (byte)'/';
        var output = new byte[path.Length];
        var w = 0;
        var r = 0;
        var dotdot = 0;
        if (rooted)
        {
            output[w++] = (byte)'/';
            r = 1;
            dotdot = 1;
        }

        while (r < path.Length)
        {
            if (path[r] == (byte)'/')
            {
                r++;
            }
            else if (path[r] == (byte)'.' && (r + 1 == path.Length || path[r + 1] == (byte)'/'))
            {
                r++;
            }
            else if (path[r] == (byte)'.' && path[r + 1] == (byte)'.' && (r + 2 == path.Length || path[r + 2] == (byte)'/'))
            {
                r += 2;
                if (w > dotdot)
                {
                    w--;
                    while (w > dotdot && output[w] != (byte)'/')
                    {
                        w--;
                    }
                }
                else if (!rooted)
                {
                    if (w > 0)
                    {
                        output[w++] = (byte)'/';
                    }

                    output[w++] = (byte)'.';
                    output[w++] = (byte)'.';
                    dotdot = w;
                }
            }
            else
            {
                if ((rooted && w != 1) || (!rooted && w != 0))
                {
                    output[w++] = (byte)'/';
                }

                for (; r < path.Length && path[r] != (byte)'/'; r++)
                {
                    output[w++] = path[r];
                }
            }
        }

        return w == 0 ? "."u8.ToArray() : output.AsSpan(0, w).ToArray();
    }

    /// <summary>Go's <c>path.Dir</c>: everything before the last slash, cleaned ("." when there is no slash).</summary>
    public static byte[] Dir(ReadOnlySpan<byte> path) => Clean(path[..(path.LastIndexOf((byte)'/') + 1)]);

    /// <summary>Go's <c>path.Join</c> of two elements: empty elements are dropped, the result is cleaned.</summary>
    public static byte[] Join(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (first.IsEmpty)
        {
            return second.IsEmpty ? [] : Clean(second);
        }

        if (second.IsEmpty)
        {
            return Clean(first);
        }

        var joined = new byte[first.Length + 1 + second.Length];
        first.CopyTo(joined);
        joined[first.Length] = (byte)'/';
        second.CopyTo(joined.AsSpan(first.Length + 1));
        return Clean(joined);
    }

    /// <summary>
    /// Go's <c>filepath.IsLocal</c> on Unix: not empty, not absolute, and not leaving its directory once cleaned
    /// ("a/../b" is local, "a/../../b" is not).
    /// </summary>
    public static bool IsLocal(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty || path[0] == (byte)'/')
        {
            return false;
        }

        var cleaned = Clean(path).AsSpan();
        return !cleaned.SequenceEqual(".."u8) && !cleaned.StartsWith("../"u8);
    }

    /// <summary>
    /// Whether git would refuse <c>rev:path</c> with "relative path syntax can't be used outside working tree": in a
    /// bare repository that error is fatal, and it would kill a <c>cat-file --batch</c> process.
    /// </summary>
    public static bool IsRelativeSyntax(ReadOnlySpan<byte> path) => path.StartsWith("./"u8) || path.StartsWith("../"u8);
}
