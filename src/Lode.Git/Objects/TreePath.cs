namespace Lode.Git.Objects;

/// <summary>
/// Slash-separated paths as Gitaly handles them, on raw bytes (tree paths need not be UTF-8): Go's lexical
/// <c>path.Clean</c> and <c>path.Dir</c>, and Gitaly's <c>storage.ValidateRelativePath</c>. Requests are matched against
/// tree entries with these rules, so a path Gitaly would not find is not found here either.
/// </summary>
public static class TreePath
{
    /// <summary>The path of the tree root, as Go's <c>path.Clean("")</c> gives it.</summary>
    public static ReadOnlySpan<byte> Root => "."u8;

    /// <summary>
    /// Go's <c>path.Clean</c>: one slash between elements, no <c>.</c> elements, <c>..</c> folded into the element before
    /// it (and dropped at the start of a rooted path); the empty result is <c>.</c>.
    /// </summary>
    public static byte[] Clean(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty)
        {
            return [(byte)'.'];
        }

        var rooted = path[0] == '/';
        var elements = new List<Range>();
        var dotDots = 0;
        var start = 0;
        for (var i = 0; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                continue;
            }

            var element = path[start..i];
            var range = start..i;
            start = i + 1;
            if (element.IsEmpty || element.SequenceEqual("."u8))
            {
                continue;
            }

            if (element.SequenceEqual(".."u8))
            {
                if (elements.Count > dotDots)
                {
                    elements.RemoveAt(elements.Count - 1);
                }
                else if (!rooted)
                {
                    elements.Add(range);
                    dotDots++;
                }

                continue;
            }

            elements.Add(range);
        }

        var result = new List<byte>(path.Length);
        if (rooted)
        {
            result.Add((byte)'/');
        }

        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0)
            {
                result.Add((byte)'/');
            }

            result.AddRange(path[elements[i]]);
        }

        return result.Count == 0 ? [(byte)'.'] : [.. result];
    }

    /// <summary>Go's <c>path.Dir</c>: everything before the last slash, cleaned (<c>.</c> when there is no slash).</summary>
    public static byte[] Dir(ReadOnlySpan<byte> path)
    {
        var slash = path.LastIndexOf((byte)'/');
        return Clean(path[..(slash + 1)]);
    }

    /// <summary>
    /// Gitaly's <c>storage.ValidateRelativePath(root, path)</c>: joins <paramref name="path"/> (a leading slash is
    /// ignored) to <paramref name="root"/> and returns the cleaned path relative to the root, <c>.</c> for the root itself,
    /// or null when the result lies outside <paramref name="root"/>. <paramref name="root"/> must be a clean absolute path.
    /// </summary>
    public static byte[]? ResolveRelative(ReadOnlySpan<byte> root, ReadOnlySpan<byte> path)
    {
        var joined = new byte[root.Length + 1 + path.Length];
        root.CopyTo(joined);
        joined[root.Length] = (byte)'/';
        path.CopyTo(joined.AsSpan(root.Length + 1));
        var absolute = Clean(joined);
        if (absolute.AsSpan().SequenceEqual(root))
        {
            return [(byte)'.'];
        }

        if (absolute.Length <= root.Length + 1 || !absolute.AsSpan().StartsWith(root) || absolute[root.Length] != '/')
        {
            return null;
        }

        return absolute.AsSpan(root.Length + 1).ToArray();
    }
}
